import { describe, expect, it } from "vitest";
import { lagRecoveryMs, type LagSample } from "./lagRecovery.ts";

const GROUPS = ["g-0", "g-1"];

/** One sample a second from `from`, with the lags given per second for g-0 (g-1 stays at 5). */
function samples(from: number, lags: (number | undefined)[]): LagSample[] {
  return lags.map((lag, i): LagSample => ({
    at: from + i * 1000,
    lag: lag === undefined ? { "g-1": 5 } : { "g-0": lag, "g-1": 5 },
  }));
}

describe("lag recovery", () => {
  const steady = samples(
    0,
    Array.from({ length: 60 }, () => 20),
  );

  it("is 0 when no group's lag rose above its bound after t0", () => {
    expect(lagRecoveryMs([...steady, ...samples(60_000, [50, 90, 30])], 59_500, GROUPS, 100)).toBe(
      0,
    );
  });

  it("is the first sample back within bound after the last one above it", () => {
    const after = samples(61_000, [150, 800, 90, 120, 60, 40]);
    // 61 s above, 63 s within, 64 s above again (a flap), 65 s within for good.
    expect(lagRecoveryMs([...steady, ...after], 60_000, GROUPS, 100)).toBe(5000);
  });

  it("is unknown while the lag is still above its bound", () => {
    expect(lagRecoveryMs([...steady, ...samples(61_000, [50, 500])], 60_000, GROUPS, 100)).toBe(
      undefined,
    );
  });

  it("takes the p99 of the minute before t0 as the bound when it is above the floor", () => {
    const noisy = samples(
      0,
      Array.from({ length: 60 }, () => 300),
    );
    expect(lagRecoveryMs([...noisy, ...samples(61_000, [290])], 60_000, GROUPS, 100)).toBe(0);
    expect(lagRecoveryMs([...noisy, ...samples(61_000, [310, 200])], 60_000, GROUPS, 100)).toBe(
      2000,
    );
  });

  it("skips samples that lack a group (Kafka's view failed then)", () => {
    expect(
      lagRecoveryMs([...steady, ...samples(61_000, [500, undefined, 50])], 60_000, GROUPS, 100),
    ).toBe(3000);
  });
});
