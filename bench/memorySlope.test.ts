import { describe, expect, it } from "vitest";
import { memorySlope, type RssSample } from "./memorySlope.ts";

const MIB = 2 ** 20;
const MINUTE = 60_000;

/** A sample a minute for `minutes` minutes, growing `mibPerHour` from `startMib`. */
function incarnation(
  pid: number,
  fromMinute: number,
  minutes: number,
  startMib: number,
  mibPerHour: number,
): RssSample[] {
  return Array.from({ length: minutes }, (_, i) => ({
    at: (fromMinute + i) * MINUTE,
    pid,
    rssBytes: (startMib + (mibPerHour * i) / 60) * MIB,
  }));
}

describe("memorySlope", () => {
  it("gives a steady growth in MiB per hour", () => {
    const slope = memorySlope(incarnation(1, 0, 30, 100, 12), 0);
    expect(slope.mibPerHour).toBeCloseTo(12, 6);
    expect(slope).toMatchObject({ samples: 30, incarnations: 1, spanMs: 29 * MINUTE });
  });

  it("does not take a restart's drop for a decline, or its climb back for a leak", () => {
    // Flat at 200 MiB, restarted at minute 10 from 80 MiB: a sawtooth that is flat in each life.
    const samples = [...incarnation(1, 0, 10, 200, 0), ...incarnation(2, 10, 20, 80, 0)];
    expect(memorySlope(samples, 0).mibPerHour).toBeCloseTo(0, 6);
    expect(memorySlope(samples, 0).incarnations).toBe(2);
  });

  it("pools the slope of every incarnation", () => {
    const samples = [...incarnation(1, 0, 10, 200, 30), ...incarnation(2, 10, 10, 80, 30)];
    expect(memorySlope(samples, 0).mibPerHour).toBeCloseTo(30, 6);
  });

  it("leaves out each incarnation's warm-up", () => {
    // A process that climbs 100 MiB in its first two minutes, then stays flat.
    const climbing = (pid: number, from: number): RssSample[] =>
      incarnation(pid, from, 10, 100, 0).map((s, i) =>
        i < 2 ? { ...s, rssBytes: i * 50 * MIB } : s,
      );
    const samples = [...climbing(1, 0), ...climbing(2, 10)];
    expect(memorySlope(samples, 0).mibPerHour ?? 0).toBeGreaterThan(100);
    const warmed = memorySlope(samples, 2 * MINUTE);
    expect(warmed.mibPerHour).toBeCloseTo(0, 6);
    expect(warmed.samples).toBe(16);
  });

  it("knows no slope without two samples past the warm-up", () => {
    expect(memorySlope(incarnation(1, 0, 3, 100, 50), 2 * MINUTE)).toEqual({
      mibPerHour: null,
      samples: 0,
      incarnations: 1,
      spanMs: 0,
    });
    expect(memorySlope([], 0).mibPerHour).toBeNull();
  });
});
