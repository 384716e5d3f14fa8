import { describe, expect, it } from "vitest";
import { MAX_MISSING_RANGES, createSequenceTracker } from "./sequenceTracker.ts";

describe("createSequenceTracker", () => {
  it("takes consecutive numbers after the baseline as new, with nothing missing", () => {
    const tracker = createSequenceTracker(100);
    expect(tracker.accept(101)).toEqual({ kind: "new", gap: undefined });
    expect(tracker.accept(102)).toEqual({ kind: "new", gap: undefined });
    expect(tracker).toMatchObject({ highest: 102, received: 2, missing: 0, duplicates: 0 });
  });

  it("opens a gap for the numbers skipped over, and never counts the ones before the baseline", () => {
    const tracker = createSequenceTracker(100);
    expect(tracker.accept(104)).toEqual({ kind: "new", gap: { from: 101, to: 103 } });
    expect(tracker.missing).toBe(3);
    expect(tracker.missingRanges()).toEqual([{ from: 101, to: 103 }]);
  });

  it("closes a hole number by number as late arrivals come, from either end or the middle", () => {
    const tracker = createSequenceTracker(0);
    tracker.accept(10);
    expect(tracker.accept(5)).toEqual({ kind: "late" });
    expect(tracker.missingRanges()).toEqual([
      { from: 1, to: 4 },
      { from: 6, to: 9 },
    ]);
    expect(tracker.accept(1)).toEqual({ kind: "late" });
    expect(tracker.accept(9)).toEqual({ kind: "late" });
    expect(tracker.missingRanges()).toEqual([
      { from: 2, to: 4 },
      { from: 6, to: 8 },
    ]);
    expect(tracker).toMatchObject({ highest: 10, received: 4, missing: 6, late: 3 });
  });

  it("counts a number received twice, a late one received twice, and one before the start as duplicates", () => {
    const tracker = createSequenceTracker(100);
    tracker.accept(101);
    tracker.accept(103);
    tracker.accept(102);
    expect(tracker.accept(101)).toEqual({ kind: "duplicate" });
    expect(tracker.accept(102)).toEqual({ kind: "duplicate" });
    expect(tracker.accept(50)).toEqual({ kind: "duplicate" });
    expect(tracker).toMatchObject({ received: 3, duplicates: 3, missing: 0, late: 1 });
  });

  it("keeps at most MAX_MISSING_RANGES holes, still counting the forgotten numbers as missing", () => {
    const tracker = createSequenceTracker(0);
    const holes = MAX_MISSING_RANGES + 10;
    for (let i = 1; i <= holes; i += 1) tracker.accept(2 * i);
    expect(tracker.missing).toBe(holes);
    expect(tracker.missingRanges()).toHaveLength(MAX_MISSING_RANGES);
    expect(tracker.missingRanges()[0]).toEqual({ from: 21, to: 21 });
    // The oldest holes are forgotten: a late 1 can no longer be told from a duplicate.
    expect(tracker.accept(1)).toEqual({ kind: "duplicate" });
    expect(tracker.accept(21)).toEqual({ kind: "late" });
  });
  it("keeps one hole for a far-ahead number however large the gap, and takes the numbers below it as late", () => {
    // What a consumer would cause by serving a forged record (consumers hold those out, see
    // view.ts): the count is arithmetic, the memory one range.
    const tracker = createSequenceTracker(10);
    expect(tracker.accept(Number.MAX_SAFE_INTEGER)).toEqual({
      kind: "new",
      gap: { from: 11, to: Number.MAX_SAFE_INTEGER - 1 },
    });
    expect(tracker.missing).toBe(Number.MAX_SAFE_INTEGER - 11);
    expect(tracker.accept(11)).toEqual({ kind: "late" });
    expect(tracker.accept(13)).toEqual({ kind: "late" });
    expect(tracker.missingRanges()).toEqual([
      { from: 12, to: 12 },
      { from: 14, to: Number.MAX_SAFE_INTEGER - 1 },
    ]);
    expect(tracker.highest).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("skips to a view window's floor as fell-behind, never as missing, and only forward", () => {
    const tracker = createSequenceTracker(10);
    tracker.accept(11);
    tracker.accept(14);
    expect(tracker.skipTo(20)).toEqual({ from: 15, to: 20 });
    expect(tracker.skipTo(18)).toBeUndefined();
    expect(tracker.accept(21)).toEqual({ kind: "new", gap: undefined });
    // The hole a failover left before the client fell behind stays missing.
    expect(tracker).toMatchObject({ highest: 21, fellBehind: 6, missing: 2, received: 3 });
    expect(tracker.missingRanges()).toEqual([{ from: 12, to: 13 }]);
  });
});
