import { describe, expect, it } from "vitest";
import { formatDuration } from "./formatDuration.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [849.6, "850 ms"],
    [-250, "-250 ms"],
    [3240, "3.2 s"],
    [31_800, "31.8 s"],
    [125_000, "2 min 05 s"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("writes what is not known as an en dash, or as the caller's mark", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(undefined)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
    expect(formatDuration(Number.POSITIVE_INFINITY, "—")).toBe("—");
  });
});
