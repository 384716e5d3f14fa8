// From the replay runs to the published figures: what each consumer's log says about its start,
// what Kafka's ConsumerPerformance printed, percentiles over the runs, and our rate ÷ Kafka's.
// Pure, so that what the table says is tested on its own.
import { percentile } from "../backend/src/ledger/percentile.ts";
import { spread, type Spread } from "./spread.ts";

/** One new consumer rebuilding its view, times from its spawn. */
export interface ReplaySample {
  readonly run: number;
  /** Until its `/readyz` answered 200, as a supervisor or Kubernetes sees it. */
  readonly readyMs: number;
  /** From its own log: Node started and loaded the service (the "listening" line). */
  readonly listeningMs: number | null;
  /** Joined its group and was assigned the partitions: reading starts. */
  readonly joinedMs: number | null;
  /** Logged "caught up … ready". */
  readonly caughtUpMs: number | null;
  /** Records the view held at ready (the sum of its heads, seqs counting from 1). */
  readonly viewRecords: number;
  /** VmRSS at ready. */
  readonly rssBytes: number;
  /** V8's heap in use at ready (prom-client's nodejs_heap_size_used_bytes), garbage included. */
  readonly heapUsedBytes: number | null;
  /** The same a second after a full collection: what the process keeps alive. */
  readonly heapAfterGcBytes: number | null;
  readonly rssAfterGcBytes: number;
}

/** One run of Kafka's ConsumerPerformance over the same records. */
export interface KafkaPerfSample {
  readonly run: number;
  /** From the JVM's spawn to its exit. */
  readonly wallMs: number;
  readonly records: number;
  /** Its own figure, from its consumer's creation to the last record: the join included. */
  readonly recordsPerSecond: number;
  /** Its own figure without the join (rebalance.time.ms): fetching only. */
  readonly fetchRecordsPerSecond: number;
  readonly rebalanceMs: number;
}

function difference(to: number | null, from: number | null): number | null {
  return to === null || from === null ? null : to - from;
}

const rate = (records: number, ms: number | null): number | null =>
  ms === null || ms <= 0 ? null : Math.round((records * 1000) / ms);

const ratio = (ours: number | null, theirs: number | null): number | null =>
  ours === null || theirs === null || theirs <= 0 ? null : Math.round((ours / theirs) * 100) / 100;

export interface ReplaySummary {
  readonly records: number;
  readonly runs: number;
  readonly targetMs: number;
  /** Every run was ready within the target. */
  readonly met: boolean;
  /** Each phase over the runs, in ms: spawn → ready, and its parts from the consumer's log. */
  readonly readyMs: Spread;
  readonly nodeStartMs: Spread;
  readonly listeningToReadyMs: Spread;
  readonly joinMs: Spread;
  readonly readingMs: Spread;
  /** Records per second at the p50: over spawn → ready, and over reading alone. */
  readonly recordsPerSecond: { spawnToReady: number | null; reading: number | null };
  /** Every run's view held every record. */
  readonly complete: boolean;
  readonly memory: {
    rssBytes: Spread;
    heapUsedBytes: Spread;
    heapAfterGcBytes: Spread;
    /** The same consumer with an empty view, after a full collection: the view's bytes' base. */
    emptyRssBytes: number | null;
    emptyHeapAfterGcBytes: number | null;
    /** (p50 at ready − empty) ÷ records; the heap's after a full collection, both of them. */
    rssBytesPerRecord: number | null;
    heapBytesPerRecord: number | null;
  };
  readonly kafka: {
    runs: number;
    wallMs: Spread;
    /** p50 of its own figures. */
    recordsPerSecond: number | null;
    fetchRecordsPerSecond: number | null;
  } | null;
  /** Ours ÷ Kafka's at the p50: reading alone against its fetching, and end to end. */
  readonly ratio: { reading: number | null; wall: number | null };
}

export function summarize(options: {
  records: number;
  targetMs: number;
  samples: readonly ReplaySample[];
  empty: ReplaySample | null;
  kafka: readonly KafkaPerfSample[];
}): ReplaySummary {
  const { records, samples, empty, kafka } = options;
  const readyMs = spread(samples.map((s) => s.readyMs));
  const readingMs = spread(samples.map((s) => difference(s.caughtUpMs, s.joinedMs)));
  const rssBytes = spread(samples.map((s) => s.rssBytes));
  const heapUsedBytes = spread(samples.map((s) => s.heapUsedBytes));
  const heapAfterGcBytes = spread(samples.map((s) => s.heapAfterGcBytes));
  const perRecord = (atReady: number | null, base: number | null | undefined) =>
    atReady === null || base === null || base === undefined
      ? null
      : Math.round((atReady - base) / records);
  const kafkaSummary =
    kafka.length === 0
      ? null
      : {
          runs: kafka.length,
          wallMs: spread(kafka.map((k) => k.wallMs)),
          recordsPerSecond: percentile(
            kafka.map((k) => k.recordsPerSecond),
            0.5,
          ),
          fetchRecordsPerSecond: percentile(
            kafka.map((k) => k.fetchRecordsPerSecond),
            0.5,
          ),
        };
  const reading = rate(records, readingMs.p50);
  return {
    records,
    runs: samples.length,
    targetMs: options.targetMs,
    met: samples.length > 0 && samples.every((s) => s.readyMs < options.targetMs),
    readyMs,
    nodeStartMs: spread(samples.map((s) => s.listeningMs)),
    listeningToReadyMs: spread(samples.map((s) => difference(s.caughtUpMs, s.listeningMs))),
    joinMs: spread(samples.map((s) => difference(s.joinedMs, s.listeningMs))),
    readingMs,
    recordsPerSecond: { spawnToReady: rate(records, readyMs.p50), reading },
    complete: samples.every((s) => s.viewRecords === records),
    memory: {
      rssBytes,
      heapUsedBytes,
      heapAfterGcBytes,
      emptyRssBytes: empty?.rssBytes ?? null,
      emptyHeapAfterGcBytes: empty?.heapAfterGcBytes ?? null,
      rssBytesPerRecord: perRecord(rssBytes.p50, empty?.rssBytes),
      heapBytesPerRecord: perRecord(heapAfterGcBytes.p50, empty?.heapAfterGcBytes),
    },
    kafka: kafkaSummary,
    ratio: {
      reading: ratio(reading, kafkaSummary?.fetchRecordsPerSecond ?? null),
      wall: ratio(readyMs.p50, kafkaSummary?.wallMs.p50 ?? null),
    },
  };
}

interface LogLine {
  time?: number;
  msg?: string;
  heads?: Record<string, number>;
}

/** What a consumer's JSON log (pino, `time` in ms since the epoch) says about its start. */
export function startFromLog(
  log: string,
  spawnedAt: number,
): {
  listeningMs: number | null;
  joinedMs: number | null;
  caughtUpMs: number | null;
  viewRecords: number;
} {
  let listeningMs: number | null = null;
  let joinedMs: number | null = null;
  let caughtUpMs: number | null = null;
  let viewRecords = 0;
  for (const text of log.split("\n")) {
    if (!text.startsWith("{")) continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      continue;
    }
    if (line.time === undefined || line.msg === undefined) continue;
    const at = line.time - spawnedAt;
    if (listeningMs === null && line.msg === "listening") listeningMs = at;
    else if (joinedMs === null && line.msg.startsWith("joined the consumer group")) joinedMs = at;
    else if (caughtUpMs === null && line.msg.startsWith("caught up")) {
      caughtUpMs = at;
      viewRecords = Object.values(line.heads ?? {}).reduce((sum, head) => sum + head, 0);
    }
  }
  return { listeningMs, joinedMs, caughtUpMs, viewRecords };
}

/**
 * ConsumerPerformance's report: a header line of comma-separated names, then one line of values
 * (`data.consumed.in.nMsg`, `nMsg.sec`, `rebalance.time.ms`, `fetch.nMsg.sec`, …).
 */
export function parseConsumerPerf(
  output: string,
): Omit<KafkaPerfSample, "run" | "wallMs"> | undefined {
  const lines = output.split("\n").map((line) => line.trim());
  const headerAt = lines.findIndex((line) => line.includes("nMsg.sec"));
  const header = lines[headerAt]?.split(",").map((name) => name.trim());
  const values = lines[headerAt + 1]?.split(",").map((value) => value.trim());
  if (header === undefined || values === undefined) return undefined;
  const field = (name: string): number => Number(values[header.indexOf(name)]);
  const sample = {
    records: field("data.consumed.in.nMsg"),
    recordsPerSecond: Math.round(field("nMsg.sec")),
    fetchRecordsPerSecond: Math.round(field("fetch.nMsg.sec")),
    rebalanceMs: field("rebalance.time.ms"),
  };
  return Object.values(sample).every(Number.isFinite) ? sample : undefined;
}

const seconds = (ms: number | null): string => (ms === null ? "—" : (ms / 1000).toFixed(2));
const trio = (s: Spread): string => `${seconds(s.p50)} / ${seconds(s.p99)} / ${seconds(s.max)}`;
const thousands = (n: number | null): string =>
  n === null ? "—" : `${Math.round(n / 1000).toLocaleString("en")} k`;
const mib = (bytes: number | null): string =>
  bytes === null ? "—" : `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The Markdown table docs/benchmarks.md and bench/results/replay.md show. */
export function markdownTable(summary: ReplaySummary): string {
  const { memory, kafka } = summary;
  const rows: [string, string][] = [
    [
      `spawn → ready (s, p50 / p99 / max; target < ${seconds(summary.targetMs)})`,
      `${trio(summary.readyMs)} (${summary.met ? "met" : "missed"})`,
    ],
    ["  Node start → listening (s)", trio(summary.nodeStartMs)],
    ["  listening → joined the group (s)", trio(summary.joinMs)],
    ["  joined → caught up: reading (s)", trio(summary.readingMs)],
    [
      "records/s (p50): spawn → ready / reading",
      `${thousands(summary.recordsPerSecond.spawnToReady)} / ${thousands(summary.recordsPerSecond.reading)}`,
    ],
    [
      "Kafka ConsumerPerformance, JVM spawn → exit (s, p50 / p99 / max)",
      kafka === null ? "—" : trio(kafka.wallMs),
    ],
    [
      "Kafka ConsumerPerformance records/s (p50): with join / fetching",
      kafka === null
        ? "—"
        : `${thousands(kafka.recordsPerSecond)} / ${thousands(kafka.fetchRecordsPerSecond)}`,
    ],
    [
      "ours ÷ Kafka: reading rate / wall time",
      `${summary.ratio.reading ?? "—"} / ${summary.ratio.wall ?? "—"}`,
    ],
    [
      "RSS at ready (p50 / max; empty view)",
      `${mib(memory.rssBytes.p50)} / ${mib(memory.rssBytes.max)} (${mib(memory.emptyRssBytes)})`,
    ],
    [
      "V8 heap used at ready, garbage included (p50 / max)",
      `${mib(memory.heapUsedBytes.p50)} / ${mib(memory.heapUsedBytes.max)}`,
    ],
    [
      "V8 heap used after a full GC (p50 / max; empty view)",
      `${mib(memory.heapAfterGcBytes.p50)} / ${mib(memory.heapAfterGcBytes.max)} (${mib(memory.emptyHeapAfterGcBytes)})`,
    ],
    [
      "bytes per record over the empty view: RSS at ready / heap after GC",
      `${memory.rssBytesPerRecord ?? "—"} / ${memory.heapBytesPerRecord ?? "—"}`,
    ],
    ["every view held every record", summary.complete ? "yes" : "no"],
  ];
  return [
    `| ${summary.records.toLocaleString("en")} records, ${summary.runs} new consumers | |`,
    "|---|---|",
    ...rows.map(([what, value]) => `| ${what} | ${value} |`),
  ].join("\n");
}
