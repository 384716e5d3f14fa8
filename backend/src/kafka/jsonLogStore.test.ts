import { describe, expect, it } from "vitest";
import { latestByKey } from "./jsonLogStore.ts";

describe("latestByKey", () => {
  it("keeps the last value of each key where the key first appeared", () => {
    const log = [
      { id: "a", v: 1 },
      { id: "b", v: 1 },
      { id: "a", v: 2 },
      { id: "c", v: 1 },
      { id: "a", v: 3 },
    ];
    expect(latestByKey(log, (r) => r.id)).toEqual([
      { id: "a", v: 3 },
      { id: "b", v: 1 },
      { id: "c", v: 1 },
    ]);
    expect(latestByKey([], (r: { id: string }) => r.id)).toEqual([]);
  });
});
