import { describe, expect, it } from "vitest";
import { createLatencyWindow } from "./latencyWindow.ts";

const options = { windowMs: 10_000, maxSamples: 64, samplesPerPoll: 4 };

describe("createLatencyWindow", () => {
  it("answers nearest-rank percentiles and the maximum over a time range", () => {
    const window = createLatencyWindow({ ...options, maxSamples: 128, samplesPerPoll: 100 });
    window.add(
      1000,
      Array.from({ length: 100 }, (_, i) => 100 - i),
    );
    expect(window.between(0, 2000)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(window.between(1001, 2000)).toBeUndefined();
  });

  it("stores a large poll as weighted samples that keep its maximum and its weight", () => {
    const window = createLatencyWindow(options);
    // 4 ordinary records, then a backlog of 96 records 5 s late in one poll.
    window.add(1000, [100, 100, 100, 100]);
    window.add(1500, [...Array.from({ length: 95 }, () => 5000), 9000]);
    expect(window.size).toBe(8);
    const summary = window.between(0, 2000);
    expect(summary).toEqual({ count: 100, p50: 5000, p99: 9000, max: 9000 });
  });

  it("drops samples older than the window and never holds more than maxSamples", () => {
    const window = createLatencyWindow(options);
    for (let at = 0; at <= 60_000; at += 100) window.add(at, [at % 700, 1, 2]);
    expect(window.size).toBeLessThanOrEqual(options.maxSamples);
    window.add(100_000, [42]);
    expect(window.size).toBe(1);
    expect(window.recent(100_000)).toEqual({ count: 1, p50: 42, p99: 42, max: 42 });
  });

  it("keeps recent() equal to a full sort through growth, wrap-around and eviction", () => {
    // A seeded generator (mulberry32), so that a failure replays.
    let state = 7;
    const random = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const window = createLatencyWindow(options);
    let at = 0;
    for (let poll = 0; poll < 400; poll += 1) {
      at += Math.floor(random() * 300);
      const batch = Array.from({ length: Math.floor(random() * 12) }, () =>
        Math.round(random() * 2000 - 100),
      );
      window.add(at, batch);
      expect(window.recent(at)).toEqual(window.between(at - options.windowMs, Infinity));
    }
    expect(window.size).toBe(options.maxSamples);
  });
});
