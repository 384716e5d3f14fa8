// What the failover knobs cost, read from the lab's own Prometheus over a benchmark's lab run:
// the requests that shorter sessions, heartbeats, metadata ages and fetch waits make the brokers
// serve, and the brokers fenced more often than a fault fenced one (false fencing).
import { querySamples, rangeValues } from "../backend/test/support/prometheus.ts";

/** Requests whose rate the knobs change. */
const REQUESTS = [
  "BrokerHeartbeat",
  "Heartbeat",
  "Metadata",
  "FetchConsumer",
  "OffsetCommit",
  "FindCoordinator",
  "JoinGroup",
] as const;

export interface LabCosts {
  readonly seconds: number;
  /** Per second over the whole run, all brokers together (Kafka's RequestsPerSec counters). */
  readonly requestsPerSecond: Record<string, number>;
  /** Times the active controller's count of fenced brokers rose from 0. */
  readonly fencingEpisodes: number;
}

export async function labCosts(
  prometheusUrl: string,
  fromMs: number,
  toMs: number,
): Promise<LabCosts> {
  const seconds = Math.max(1, Math.floor((toMs - fromMs) / 1000));
  const samples = await querySamples(
    prometheusUrl,
    `sum by (request) (increase(kafka_network_requestmetrics_requests_total{request=~"${REQUESTS.join("|")}"}[${seconds}s]))`,
  );
  const requestsPerSecond: Record<string, number> = {};
  for (const request of REQUESTS) {
    const total = samples.find((s) => s.labels.request === request)?.value ?? 0;
    requestsPerSecond[request] = Math.round((total / seconds) * 10) / 10;
  }
  const fenced = await rangeValues(
    prometheusUrl,
    "max(kafka_controller_kafkacontroller_fencedbrokercount)",
    { startS: fromMs / 1000, endS: toMs / 1000, stepS: 1 },
  );
  let fencingEpisodes = 0;
  for (let i = 1; i < fenced.length; i++) {
    if ((fenced[i - 1]?.[1] ?? 0) === 0 && (fenced[i]?.[1] ?? 0) > 0) fencingEpisodes += 1;
  }
  return { seconds, requestsPerSecond, fencingEpisodes };
}
