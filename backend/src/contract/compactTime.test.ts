import { describe, expect, it } from "vitest";
import { compactTime } from "./compactTime.ts";

describe("compactTime", () => {
  it("writes UTC to the second, without separators a file name may not hold", () => {
    expect(compactTime(Date.UTC(2025, 5, 15, 15, 6, 40, 578))).toBe("20250615T150640Z");
  });
});
