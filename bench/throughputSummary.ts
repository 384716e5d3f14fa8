// The throughput benchmark's pure part: what one step of offered load measured, whether the lab
// carried it, the highest rate it carried, Kafka's own perf tools' output, and the table.

/** One step: both producers set to half of `offeredPerSecond`, measured over a window. */
export interface ThroughputStep {
  offeredPerSecond: number;
  windowS: number;
  /** Records Kafka acknowledged (acks=all), all producers, per second. */
  producedPerSecond: number;
  /** Records each consumer read from Kafka per second, by consumer. */
  consumedPerSecond: Record<string, number>;
  /** Fresh records each simulated client received per second, averaged over the clients. */
  seenPerClientPerSecond: number;
  /** Records behind the high watermarks at the window's end, by consumer (all partitions). */
  lagRecords: Record<string, number>;
  /** End-to-end latency over the window (the fleet's histogram): bucket upper bounds. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Numbers clients skipped over the window because they fell behind the view window. */
  fellBehind: number;
  /** Numbers missing at the window's end, all clients. */
  missing: number;
  /** Polls the fleet completed per second, and fresh records an answer brought on average. */
  pollsPerSecond: number;
  recordsPerAnswer: number;
  /** Polls that failed or timed out over the window. */
  failedPolls: number;
  /** Requests per second all brokers served, by type (KAFKA_REQUESTS). */
  kafkaRequestsPerSecond?: Record<string, number>;
  /** CPU % (100 = one core) by component over the window, and the whole machine's. */
  cpuPercent: Record<string, number>;
  machineCpuPercent: number;
}

/** The broker requests whose count says how the lab's records reach and leave the brokers. */
export const KAFKA_REQUESTS = ["Produce", "FetchConsumer", "FetchFollower"] as const;

/** How close "about the same" is: a rate within this share of the one it follows counts. */
export const KEEPS_UP = 0.95;
/** The end-to-end latency the lab must stay under. */
export const MAX_P99_MS = 1000;

/** Why a step did not hold; empty when it held. */
export function shortfalls(step: ThroughputStep): string[] {
  const reasons: string[] = [];
  const produced = step.producedPerSecond;
  if (produced < KEEPS_UP * step.offeredPerSecond) {
    reasons.push(`produced ${Math.round(produced)}/s of ${step.offeredPerSecond}/s offered`);
  }
  for (const [consumer, consumed] of Object.entries(step.consumedPerSecond)) {
    if (consumed < KEEPS_UP * produced) {
      reasons.push(`${consumer} consumed ${Math.round(consumed)}/s`);
    }
  }
  // The lag gauges refresh every 2 s: more than a second of production behind is falling behind.
  for (const [consumer, lag] of Object.entries(step.lagRecords)) {
    if (lag > Math.max(produced, 1)) reasons.push(`${consumer} lag ${lag}`);
  }
  if (step.seenPerClientPerSecond < KEEPS_UP * produced) {
    reasons.push(`clients saw ${Math.round(step.seenPerClientPerSecond)}/s each`);
  }
  if (step.fellBehind > 0) reasons.push(`fell behind ${step.fellBehind}`);
  if (step.missing > 0) reasons.push(`missing ${step.missing}`);
  if (step.failedPolls > 0) reasons.push(`failed polls ${step.failedPolls}`);
  if (step.latencyP99Ms === null) reasons.push("p99 unknown (over the top bucket or no polls)");
  else if (step.latencyP99Ms > MAX_P99_MS) reasons.push(`p99 ≤ ${step.latencyP99Ms} ms`);
  return reasons;
}

/** Why a step did not hold before the fleet: Kafka and all the consumers kept up, or not. */
export function pipelineShortfalls(step: ThroughputStep): string[] {
  return shortfalls(step).filter((reason) => /^(produced|consumer-)/.test(reason));
}

/** The step with the most produced among those Kafka and every consumer carried. */
export function highestConsumed(steps: readonly ThroughputStep[]): ThroughputStep | undefined {
  return steps
    .filter((step) => pipelineShortfalls(step).length === 0)
    .reduce<ThroughputStep | undefined>(
      (best, step) =>
        best === undefined || step.producedPerSecond > best.producedPerSecond ? step : best,
      undefined,
    );
}

/** The step with the highest rate seen by the fleet among those that held; undefined if none. */
export function highestSustained(steps: readonly ThroughputStep[]): ThroughputStep | undefined {
  return steps
    .filter((step) => shortfalls(step).length === 0)
    .reduce<ThroughputStep | undefined>(
      (best, step) =>
        best === undefined || step.seenPerClientPerSecond > best.seenPerClientPerSecond
          ? step
          : best,
      undefined,
    );
}

/** ProducerPerformance's final line. */
export interface ProducerPerf {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * The summary line `ProducerPerformance` prints last: "1000000 records sent, 64700.1 records/sec
 * (3.45 MB/sec), 350.00 ms avg latency, 800.00 ms max latency, 300 ms 50th, 700 ms 95th, 780 ms
 * 99th, 800 ms 99.9th." (its progress lines every 5 s have no percentiles).
 */
export function parseProducerPerf(output: string): ProducerPerf {
  const line = output
    .split("\n")
    .reverse()
    .find((l) => / records sent, .* 50th/.test(l));
  const match =
    line === undefined
      ? null
      : /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(
          line.trim(),
        );
  if (match === null) throw new Error(`no ProducerPerformance summary in:\n${output}`);
  const [records, perSecond, mb, avg, max, p50, p99] = match.slice(1).map(Number);
  return {
    records: records ?? 0,
    recordsPerSecond: perSecond ?? 0,
    mbPerSecond: mb ?? 0,
    avgLatencyMs: avg ?? 0,
    maxLatencyMs: max ?? 0,
    p50Ms: p50 ?? 0,
    p99Ms: p99 ?? 0,
  };
}

/** ConsumerPerformance's result line. */
export interface ConsumerPerf {
  records: number;
  /** Over the whole run, the group join included. */
  recordsPerSecond: number;
  /** Over the fetching only. */
  fetchRecordsPerSecond: number;
  mbPerSecond: number;
}

/**
 * `ConsumerPerformance`'s CSV: a header ("start.time, end.time, data.consumed.in.MB, MB.sec,
 * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec,
 * fetch.nMsg.sec") and one line of values.
 */
export function parseConsumerPerf(output: string): ConsumerPerf {
  const lines = output.split("\n").map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith("start.time"));
  const header = (lines[headerAt] ?? "").split(/,\s*/);
  const values = (lines[headerAt + 1] ?? "").split(/,\s*/);
  const field = (name: string): number => {
    const index = header.indexOf(name);
    const value = index < 0 ? Number.NaN : Number(values[index]);
    if (!Number.isFinite(value)) throw new Error(`no ${name} in ConsumerPerformance's:\n${output}`);
    return value;
  };
  return {
    records: field("data.consumed.in.nMsg"),
    recordsPerSecond: field("nMsg.sec"),
    fetchRecordsPerSecond: field("fetch.nMsg.sec"),
    mbPerSecond: field("MB.sec"),
  };
}

const whole = (n: number) => Math.round(n).toLocaleString("en-US").replaceAll(",", " ");
const ms = (n: number | null) => (n === null ? "—" : `≤ ${n}`);
const requests = (perSecond: Record<string, number> | undefined) =>
  perSecond === undefined
    ? "—"
    : KAFKA_REQUESTS.map((request) => whole(perSecond[request] ?? 0)).join(" / ");

/** The steps as a Markdown table, one row per step. */
export function markdownTable(steps: readonly ThroughputStep[]): string {
  return [
    "| offered/s | produced/s | consumed/s (slowest of 3) | seen/s per client | lag (max) | p50 ms | p99 ms | fell behind | missing | Kafka requests/s: produce / consumer fetch / follower fetch | lab CPU % | holds |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...steps.map((s) => {
      const reasons = shortfalls(s);
      const consumed = Math.min(...Object.values(s.consumedPerSecond));
      const lag = Math.max(0, ...Object.values(s.lagRecords));
      const lab = Object.values(s.cpuPercent).reduce((sum, v) => sum + v, 0);
      return `| ${whole(s.offeredPerSecond)} | ${whole(s.producedPerSecond)} | ${whole(consumed)} | ${whole(s.seenPerClientPerSecond)} | ${whole(lag)} | ${ms(s.latencyP50Ms)} | ${ms(s.latencyP99Ms)} | ${whole(s.fellBehind)} | ${whole(s.missing)} | ${requests(s.kafkaRequestsPerSecond)} | ${Math.round(lab)} | ${reasons.length === 0 ? "yes" : `no: ${reasons.join("; ")}`} |`;
    }),
  ].join("\n");
}
