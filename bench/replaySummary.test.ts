import { describe, expect, it } from "vitest";
import {
  markdownTable,
  parseConsumerPerf,
  startFromLog,
  summarize,
  type KafkaPerfSample,
  type ReplaySample,
} from "./replaySummary.ts";

function sample(overrides: Partial<ReplaySample>): ReplaySample {
  return {
    run: 1,
    readyMs: 5000,
    listeningMs: 600,
    joinedMs: 1000,
    caughtUpMs: 4900,
    viewRecords: 1000,
    rssBytes: 200_000,
    heapUsedBytes: 150_000,
    heapAfterGcBytes: 120_000,
    rssAfterGcBytes: 190_000,
    ...overrides,
  };
}

const kafkaRun: KafkaPerfSample = {
  run: 1,
  wallMs: 2500,
  records: 1000,
  recordsPerSecond: 500,
  fetchRecordsPerSecond: 1000,
  rebalanceMs: 400,
};

describe("the replay summary", () => {
  const samples = [
    sample({ run: 1, readyMs: 4000, joinedMs: 1000, caughtUpMs: 3000 }),
    sample({ run: 2, readyMs: 6000, joinedMs: 1000, caughtUpMs: 5000, rssBytes: 300_000 }),
    sample({ run: 3, readyMs: 12_000, joinedMs: 2000, caughtUpMs: 11_000 }),
  ];
  const empty = sample({
    run: 0,
    rssBytes: 100_000,
    heapUsedBytes: 50_000,
    heapAfterGcBytes: 40_000,
  });

  it("takes percentiles over the runs and says whether every run met the target", () => {
    const summary = summarize({ records: 1000, targetMs: 10_000, samples, empty, kafka: [] });
    expect(summary.readyMs).toEqual({ p50: 6000, p99: 12_000, max: 12_000 });
    // Reading is from the join to the "caught up" line: 2 000, 4 000 and 9 000 ms.
    expect(summary.readingMs).toEqual({ p50: 4000, p99: 9000, max: 9000 });
    expect(summary.recordsPerSecond).toEqual({ spawnToReady: 167, reading: 250 });
    expect(summary.met).toBe(false);
    expect(summarize({ records: 1000, targetMs: 13_000, samples, empty, kafka: [] }).met).toBe(
      true,
    );
    expect(summary.kafka).toBeNull();
    expect(summary.ratio).toEqual({ reading: null, wall: null });
  });

  it("counts memory per record over the consumer with an empty view, the heap's after a GC", () => {
    const summary = summarize({ records: 1000, targetMs: 10_000, samples, empty, kafka: [] });
    expect(summary.memory.rssBytes.p50).toBe(200_000);
    expect(summary.memory.rssBytesPerRecord).toBe(100);
    expect(summary.memory.heapBytesPerRecord).toBe(80);
    const withoutBase = summarize({ records: 1000, targetMs: 1, samples, empty: null, kafka: [] });
    expect(withoutBase.memory.rssBytesPerRecord).toBeNull();
  });

  it("puts Kafka's rate beside ours: reading against its fetching, time against its wall time", () => {
    const summary = summarize({
      records: 1000,
      targetMs: 10_000,
      samples,
      empty,
      kafka: [kafkaRun, { ...kafkaRun, run: 2, wallMs: 3000, fetchRecordsPerSecond: 2000 }],
    });
    expect(summary.kafka?.wallMs.p50).toBe(2500);
    expect(summary.kafka?.fetchRecordsPerSecond).toBe(1000);
    expect(summary.ratio).toEqual({ reading: 0.25, wall: 2.4 });
  });

  it("says whether every view held every record", () => {
    const short = [...samples, sample({ viewRecords: 999 })];
    expect(summarize({ records: 1000, targetMs: 1, samples, empty, kafka: [] }).complete).toBe(
      true,
    );
    expect(
      summarize({ records: 1000, targetMs: 1, samples: short, empty, kafka: [] }).complete,
    ).toBe(false);
  });

  it("renders a table that says met or missed and leaves unknowns as dashes", () => {
    const table = markdownTable(
      summarize({ records: 1_000_000, targetMs: 10_000, samples, empty: null, kafka: [] }),
    );
    expect(table).toContain("1,000,000 records, 3 new consumers");
    expect(table).toContain("6.00 / 12.00 / 12.00 (missed)");
    expect(table).toMatch(/Kafka ConsumerPerformance, JVM spawn → exit .* \| — \|/);
  });
});

describe("a consumer's start, from its log", () => {
  const spawnedAt = 1_000_000;
  const line = (offset: number, msg: string, extra: object = {}) =>
    JSON.stringify({ level: "info", time: spawnedAt + offset, msg, ...extra });

  it("finds listening, the join and the caught-up line with the view's heads", () => {
    const log = [
      "not json",
      line(700, "listening"),
      line(900, "rebuilding the view from Kafka up to the high watermarks seen now"),
      line(
        1200,
        "joined the consumer group; first-time partitions are read from their earliest offset",
      ),
      line(
        1300,
        "joined the consumer group; first-time partitions are read from their earliest offset",
      ),
      line(4800, "caught up with the high watermarks seen at start: ready", {
        heads: { "producer-0": 500, "producer-1": 500 },
      }),
      "",
    ].join("\n");
    expect(startFromLog(log, spawnedAt)).toEqual({
      listeningMs: 700,
      joinedMs: 1200,
      caughtUpMs: 4800,
      viewRecords: 1000,
    });
  });

  it("leaves what the log does not say unknown", () => {
    expect(startFromLog(line(5, "listening"), spawnedAt)).toEqual({
      listeningMs: 5,
      joinedMs: null,
      caughtUpMs: null,
      viewRecords: 0,
    });
  });
});

describe("Kafka's ConsumerPerformance report", () => {
  it("is read by its header's names", () => {
    const output = [
      "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
      "2026-12-07 03:40:01:123, 2026-12-07 03:40:04:456, 47.6837, 14.3066, 1000000, 300030.0030, 412, 2921, 16.3244, 342348.5108",
      "",
    ].join("\n");
    expect(parseConsumerPerf(output)).toEqual({
      records: 1_000_000,
      recordsPerSecond: 300_030,
      fetchRecordsPerSecond: 342_349,
      rebalanceMs: 412,
    });
  });

  it("is undefined when the tool printed no report", () => {
    expect(parseConsumerPerf("WARN something\n")).toBeUndefined();
  });
});
