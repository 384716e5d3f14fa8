import { describe, expect, it } from "vitest";
import { memorySlope, type MemorySample } from "./memorySlope.ts";

const MIB = 2 ** 20;
const MINUTE = 60_000;
const NONE = { warmupMs: 0, minLifeMs: 0 };

/** A sample a minute for `minutes` minutes, growing `mibPerHour` from `startMib`. */
function incarnation(
  pid: number,
  fromMinute: number,
  minutes: number,
  startMib: number,
  mibPerHour: number,
): MemorySample[] {
  return Array.from({ length: minutes }, (_, i) => ({
    at: (fromMinute + i) * MINUTE,
    pid,
    bytes: (startMib + (mibPerHour * i) / 60) * MIB,
  }));
}

describe("memorySlope", () => {
  it("gives a steady growth in MiB per hour", () => {
    const slope = memorySlope(incarnation(1, 0, 30, 100, 12), NONE);
    expect(slope.mibPerHour).toBeCloseTo(12, 6);
    expect(slope).toMatchObject({
      samples: 30,
      incarnations: 1,
      fitted: 1,
      spanMs: 29 * MINUTE,
      longestMs: 29 * MINUTE,
    });
  });

  it("does not take a restart's drop for a decline, or its climb back for a leak", () => {
    // Flat at 200 MiB, restarted at minute 10 from 80 MiB: a sawtooth that is flat in each life.
    const samples = [...incarnation(1, 0, 10, 200, 0), ...incarnation(2, 10, 20, 80, 0)];
    expect(memorySlope(samples, NONE).mibPerHour).toBeCloseTo(0, 6);
    expect(memorySlope(samples, NONE).incarnations).toBe(2);
  });

  it("pools the slope of every incarnation", () => {
    const samples = [...incarnation(1, 0, 10, 200, 30), ...incarnation(2, 10, 10, 80, 30)];
    expect(memorySlope(samples, NONE).mibPerHour).toBeCloseTo(30, 6);
  });

  it("leaves out each incarnation's warm-up", () => {
    // A process that climbs 100 MiB in its first two minutes, then stays flat.
    const climbing = (pid: number, from: number): MemorySample[] =>
      incarnation(pid, from, 10, 100, 0).map((s, i) => (i < 2 ? { ...s, bytes: i * 50 * MIB } : s));
    const samples = [...climbing(1, 0), ...climbing(2, 10)];
    expect(memorySlope(samples, NONE).mibPerHour ?? 0).toBeGreaterThan(100);
    const warmed = memorySlope(samples, { warmupMs: 2 * MINUTE, minLifeMs: 0 });
    expect(warmed.mibPerHour).toBeCloseTo(0, 6);
    expect(warmed.samples).toBe(16);
  });

  it("knows no slope without two samples past the warm-up", () => {
    expect(
      memorySlope(incarnation(1, 0, 3, 100, 50), { warmupMs: 2 * MINUTE, minLifeMs: 0 }),
    ).toEqual({
      mibPerHour: null,
      samples: 0,
      incarnations: 1,
      fitted: 0,
      spanMs: 0,
      longestMs: 0,
    });
    expect(memorySlope([], NONE).mibPerHour).toBeNull();
  });

  it("fits only the incarnations that lived long enough, and says how long the longest did", () => {
    // Two short lives climbing steeply (a collector's sawtooth caught mid-rise), one long flat one.
    const samples = [
      ...incarnation(1, 0, 4, 100, 600),
      ...incarnation(2, 4, 20, 100, 0),
      ...incarnation(3, 24, 5, 100, -600),
    ];
    const slope = memorySlope(samples, { warmupMs: MINUTE, minLifeMs: 10 * MINUTE });
    expect(slope.mibPerHour).toBeCloseTo(0, 6);
    expect(slope).toMatchObject({
      incarnations: 3,
      fitted: 1,
      samples: 19,
      longestMs: 18 * MINUTE,
    });
    const none = memorySlope(samples, { warmupMs: MINUTE, minLifeMs: 30 * MINUTE });
    expect(none).toMatchObject({ mibPerHour: null, fitted: 0, spanMs: 0, longestMs: 18 * MINUTE });
  });
});
