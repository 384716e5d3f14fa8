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

/**
 * Requests per second all the brokers served over the last `seconds`, by type, from their
 * RequestsPerSec counters in the lab's Prometheus (scraped every 5 s, so the rate spans the
 * whole scrapes within that time); a type with none is 0.
 */
export async function brokerRequestsPerSecond(
  prometheusUrl: string,
  requests: readonly string[],
  seconds: number,
): Promise<Record<string, number>> {
  const samples = await querySamples(
    prometheusUrl,
    `sum by (request) (rate(kafka_network_requestmetrics_requests_total{request=~"${requests.join("|")}"}[${seconds}s]))`,
  );
  return Object.fromEntries(
    requests.map((request) => [
      request,
      Math.round((samples.find((s) => s.labels.request === request)?.value ?? 0) * 10) / 10,
    ]),
  );
}

export async function labCosts(
  prometheusUrl: string,
  fromMs: number,
  toMs: number,
): Promise<LabCosts> {
  const seconds = Math.max(1, Math.floor((toMs - fromMs) / 1000));
  const requestsPerSecond = await brokerRequestsPerSecond(prometheusUrl, REQUESTS, seconds);
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
