// From what the telemetry-outage benchmark read in each phase to its figures and its table. Pure,
// so that what the figures mean is tested on its own.
import { histogramPercentileMs, sumOf } from "./prometheusText.ts";

/** A telemetry backend the benchmark holds frozen (SIGSTOP) through a phase. */
export type Backend = "jaeger" | "prometheus";

/** One reading of one Node service's /metrics; a field is absent when the service has no such metric. */
export interface ServiceReading {
  /** ms since the phase began. */
  readonly at: number;
  readonly service: string;
  /** `nodejs_memory_after_gc_bytes`, heap and external added up. */
  readonly afterGcBytes?: number;
  /** Finished spans waiting for the trace backend, and the queue's capacity. */
  readonly spanQueue?: number;
  readonly spanQueueCapacity?: number;
  /** `trace_spans_dropped_total`, every reason added up. */
  readonly spansDropped?: number;
}

/** Everything read in one phase. */
export interface PhaseReadings {
  readonly name: string;
  /** The backend held frozen through the phase; null for a phase with every backend up. */
  readonly frozen: Backend | null;
  readonly seconds: number;
  /** The fleet's /metrics at the phase's start and at its end. */
  readonly fleetBefore: ReadonlyMap<string, number>;
  readonly fleetAfter: ReadonlyMap<string, number>;
  readonly services: readonly ServiceReading[];
}

export interface PhaseFigures {
  readonly name: string;
  readonly frozen: Backend | null;
  readonly seconds: number;
  /** The clients' end-to-end latency (record ts to receipt), from the fleet's histogram. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  /** An answered poll's round trip, a long-poll's wait included. */
  readonly pollP50Ms: number | null;
  readonly pollP99Ms: number | null;
  readonly polls: number;
  /** Polls that failed, timed out or were refused. */
  readonly failedPolls: number;
  /** Spans every service dropped during the phase. */
  readonly spansDropped: number;
  /** The fullest any service's span queue was, and the queue's capacity. */
  readonly spanQueueMax: number | null;
  readonly spanQueueCapacity: number | null;
  /** The most each service kept alive after a full collection during the phase (MiB). */
  readonly afterGcMib: Readonly<Record<string, number>>;
}

const POLLS = "blackout_client_polls_total";
const FAILED = ["failed", "timeout", "refused"] as const;
const MIB = 2 ** 20;

const maxOf = (values: readonly (number | undefined)[]): number | null => {
  const known = values.filter((v) => v !== undefined);
  return known.length === 0 ? null : Math.max(...known);
};

/** A phase's figures from its readings. */
export function phaseFigures(phase: PhaseReadings): PhaseFigures {
  const { fleetBefore: before, fleetAfter: after, services } = phase;
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const percentile = (histogram: string, q: number) =>
    histogramPercentileMs(before, after, histogram, q);
  const byService = Map.groupBy(services, (r) => r.service);
  let spansDropped = 0;
  const afterGcMib: Record<string, number> = {};
  for (const [service, readings] of byService) {
    const dropped = readings.map((r) => r.spansDropped).filter((v) => v !== undefined);
    // A counter that went down restarted with its process: what it counted since is all there is.
    const first = dropped[0] ?? 0;
    const last = dropped.at(-1) ?? 0;
    spansDropped += last >= first ? last - first : last;
    const kept = maxOf(readings.map((r) => r.afterGcBytes));
    if (kept !== null) afterGcMib[service] = Math.round((kept / MIB) * 10) / 10;
  }
  return {
    name: phase.name,
    frozen: phase.frozen,
    seconds: phase.seconds,
    latencyP50Ms: percentile("blackout_client_latency_seconds", 0.5),
    latencyP99Ms: percentile("blackout_client_latency_seconds", 0.99),
    pollP50Ms: percentile("blackout_client_poll_seconds", 0.5),
    pollP99Ms: percentile("blackout_client_poll_seconds", 0.99),
    polls: sumOf(after, POLLS) - sumOf(before, POLLS),
    failedPolls: FAILED.reduce((sum, result) => sum + delta(`${POLLS}{result="${result}"}`), 0),
    spansDropped,
    spanQueueMax: maxOf(services.map((r) => r.spanQueue)),
    spanQueueCapacity: maxOf(services.map((r) => r.spanQueueCapacity)),
    afterGcMib,
  };
}

/** The largest rise of any service's memory after GC over the baseline's, with the service. */
export function largestRise(
  baseline: PhaseFigures,
  phase: PhaseFigures,
): { service: string; mib: number } | null {
  let largest: { service: string; mib: number } | null = null;
  for (const [service, mib] of Object.entries(phase.afterGcMib)) {
    const base = baseline.afterGcMib[service];
    if (base === undefined) continue;
    const rise = Math.round((mib - base) * 10) / 10;
    if (largest === null || rise > largest.mib) largest = { service, mib: rise };
  }
  return largest;
}

const ms = (x: number | null) => (x === null ? "—" : String(x));

/** The table: one row per phase, each against the first (every backend up). */
export function outageTable(phases: readonly PhaseFigures[]): string {
  const baseline = phases[0];
  const rows = phases.map((p) => {
    const ratio =
      baseline?.latencyP99Ms != null && p.latencyP99Ms !== null && baseline.latencyP99Ms > 0
        ? `${(p.latencyP99Ms / baseline.latencyP99Ms).toFixed(2)}×`
        : "—";
    const rise = baseline === undefined ? null : largestRise(baseline, p);
    return `| ${p.name} | ${ms(p.latencyP50Ms)} / ${ms(p.latencyP99Ms)} | ${ratio} | ${ms(p.pollP50Ms)} / ${ms(p.pollP99Ms)} | ${p.polls} | ${p.failedPolls} | ${p.spansDropped} | ${ms(p.spanQueueMax)} / ${ms(p.spanQueueCapacity)} | ${rise === null ? "—" : `${rise.mib >= 0 ? "+" : ""}${rise.mib} (${rise.service})`} |`;
  });
  return [
    "| phase | clients' latency p50 / p99 ms | p99 × first phase | poll p50 / p99 ms | polls | failed polls | spans dropped | span queue max / capacity | memory after GC, largest rise over the first phase MiB |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
