import { describe, expect, it } from "vitest";
import {
  highestConsumed,
  highestSustained,
  markdownTable,
  parseConsumerPerf,
  parseProducerPerf,
  shortfalls,
  type ThroughputStep,
} from "./throughputSummary.ts";

function step(overrides: Partial<ThroughputStep>): ThroughputStep {
  return {
    offeredPerSecond: 10_000,
    windowS: 20,
    producedPerSecond: 9980,
    consumedPerSecond: { "consumer-0": 9990, "consumer-1": 9970, "consumer-2": 9985 },
    seenPerClientPerSecond: 9960,
    lagRecords: { "consumer-0": 0, "consumer-1": 120, "consumer-2": 0 },
    latencyP50Ms: 100,
    latencyP99Ms: 500,
    fellBehind: 0,
    missing: 0,
    pollsPerSecond: 400,
    recordsPerAnswer: 500,
    failedPolls: 0,
    cpuPercent: { "kafka-1": 30, clients: 20 },
    machineCpuPercent: 60,
    ...overrides,
  };
}

describe("a throughput step", () => {
  it("holds when every hop keeps up with what was offered, nothing is lost and p99 ≤ 1 s", () => {
    expect(shortfalls(step({}))).toEqual([]);
  });

  it("says which hop fell short", () => {
    expect(shortfalls(step({ producedPerSecond: 7000 }))).toContain(
      "produced 7000/s of 10000/s offered",
    );
    expect(
      shortfalls(
        step({ consumedPerSecond: { "consumer-0": 9990, "consumer-1": 5000, "consumer-2": 9985 } }),
      ),
    ).toEqual(["consumer-1 consumed 5000/s"]);
    expect(shortfalls(step({ lagRecords: { "consumer-2": 50_000 } }))).toEqual([
      "consumer-2 lag 50000",
    ]);
    expect(shortfalls(step({ seenPerClientPerSecond: 2000 }))).toEqual(["clients saw 2000/s each"]);
    expect(shortfalls(step({ fellBehind: 3, missing: 1, failedPolls: 2 }))).toEqual([
      "fell behind 3",
      "missing 1",
      "failed polls 2",
    ]);
    expect(shortfalls(step({ latencyP99Ms: 2000 }))).toEqual(["p99 ≤ 2000 ms"]);
    expect(shortfalls(step({ latencyP99Ms: null }))).toHaveLength(1);
  });

  it("the highest sustained is the holding step the clients saw most of, not the last offered", () => {
    const steps = [
      step({ offeredPerSecond: 2000, producedPerSecond: 2000, seenPerClientPerSecond: 2000 }),
      step({}),
      step({ offeredPerSecond: 20_000, producedPerSecond: 19_000, latencyP99Ms: 5000 }),
    ];
    expect(highestSustained(steps)?.offeredPerSecond).toBe(10_000);
    expect(highestSustained([steps[2] as ThroughputStep])).toBeUndefined();
  });

  it("the highest consumed ignores the fleet: Kafka and the three consumers kept up", () => {
    const steps = [
      step({}),
      step({
        offeredPerSecond: 20_000,
        producedPerSecond: 19_500,
        consumedPerSecond: { "consumer-0": 19_500 },
        seenPerClientPerSecond: 3000,
      }),
      step({ offeredPerSecond: 40_000, producedPerSecond: 30_000 }),
    ];
    expect(highestConsumed(steps)?.offeredPerSecond).toBe(20_000);
  });

  it("tabulates each step with its verdict", () => {
    const table = markdownTable([
      step({
        kafkaRequestsPerSecond: { Produce: 412.4, FetchConsumer: 1650, FetchFollower: 2200 },
      }),
      step({ missing: 4 }),
    ]).split("\n");
    expect(table).toHaveLength(4);
    expect(table[2]).toContain("| 10 000 | 9 980 | 9 970 | 9 960 | 120 | ≤ 100 | ≤ 500 |");
    expect(table[2]).toContain("| 412 / 1 650 / 2 200 |");
    expect(table[3]).toContain("| 0 | 4 | — |");
    expect(table[2]).toMatch(/\| yes \|$/);
    expect(table[3]).toMatch(/\| no: missing 4 \|$/);
  });
});

describe("Kafka's perf tools' output", () => {
  it("reads ProducerPerformance's summary line, not its progress lines", () => {
    const output = [
      "325512 records sent, 65089.4 records/sec (3.54 MB/sec), 410.2 ms avg latency, 900.0 ms max latency.",
      "300000 records sent, 85058.123051 records/sec (4.62 MB/sec), 554.35 ms avg latency, 1056.00 ms max latency, 551 ms 50th, 963 ms 95th, 1035 ms 99th, 1053 ms 99.9th.",
      "",
    ].join("\n");
    expect(parseProducerPerf(output)).toEqual({
      records: 300_000,
      recordsPerSecond: 85058.123051,
      mbPerSecond: 4.62,
      avgLatencyMs: 554.35,
      maxLatencyMs: 1056,
      p50Ms: 551,
      p99Ms: 1035,
    });
    expect(() => parseProducerPerf("nothing")).toThrow(/no ProducerPerformance summary/);
  });

  it("reads ConsumerPerformance's CSV by its header", () => {
    const output = [
      "Warning: --messages is deprecated. Use --num-records instead.",
      "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
      "2026-12-07 03:36:05:745, 2026-12-07 03:36:06:407, 16.3078, 24.6342, 300000, 453172.2054, 362, 300, 54.3594, 1000000.0000",
    ].join("\n");
    expect(parseConsumerPerf(output)).toEqual({
      records: 300_000,
      recordsPerSecond: 453172.2054,
      fetchRecordsPerSecond: 1_000_000,
      mbPerSecond: 24.6342,
    });
    expect(() => parseConsumerPerf("start.time, end.time\n")).toThrow(/data.consumed.in.nMsg/);
  });
});
