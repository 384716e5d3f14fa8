import { describe, expect, it } from "vitest";
import { seededRandom } from "../lib/seededRandom.ts";
import { backoffDelay } from "./backoffDelay.ts";

const options = { initialMs: 500, maxMs: 5000 };

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffDelay(attempt, options, () => 0));
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it("shortens each delay by up to the jitter share, never lengthens it past the cap", () => {
    expect(backoffDelay(1, options, () => 1)).toBe(400);
    expect(backoffDelay(9, options, () => 1)).toBe(4000);
    expect(backoffDelay(2, { ...options, jitter: 0.5 }, () => 0.5)).toBe(750);
  });

  it("spreads clients that fail together, the same way for the same seed", () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const spread = Array.from({ length: 50 }, () => backoffDelay(5, options, first));
    expect(Array.from({ length: 50 }, () => backoffDelay(5, options, second))).toEqual(spread);
    for (const delay of spread) {
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(5000);
    }
    expect(new Set(spread).size).toBeGreaterThan(40);
  });
});
