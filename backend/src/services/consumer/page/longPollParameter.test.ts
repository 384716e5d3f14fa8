import { expect, it } from "vitest";
import { longPollParameter } from "./longPollParameter.ts";

it("long-polls only for a whole number of ms within the consumer's limit", () => {
  expect(longPollParameter("?long-poll=2000")).toBe(2000);
  expect(longPollParameter("?x=1&long-poll=4000")).toBe(4000);
  for (const search of ["", "?long-poll=", "?long-poll=4001", "?long-poll=2s", "?long-poll=-1"]) {
    expect(longPollParameter(search)).toBe(0);
  }
});
