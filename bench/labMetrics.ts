// The lab's Node services' /metrics as the benchmarks read them: where each one serves it, and
// the readings more than one benchmark takes from it.
import { get, type Lab } from "./benchLab.ts";
import { parsePrometheusText, sumOf } from "./prometheusText.ts";

/** Where a Node service of the lab serves its /metrics; undefined for the others (Kafka, Jaeger, …). */
function nodeMetricsUrl(lab: Lab, service: string): string | undefined {
  const numbered = /^(producer|consumer)-(\d+)$/.exec(service);
  if (numbered !== null) {
    const port = numbered[1] === "producer" ? "PRODUCER_PORT" : "CONSUMER_PORT";
    return `${lab.url(port, Number(numbered[2]))}/metrics`;
  }
  const fixed: Readonly<Record<string, string>> = {
    gateway: `${lab.url("GATEWAY_PORT")}/gateway/metrics`,
    clients: `${lab.url("CLIENTS_PORT")}/metrics`,
    control: `${lab.url("CONTROL_PORT")}/metrics`,
    supervisor: `${lab.url("SUPERVISOR_PORT")}/metrics`,
  };
  return fixed[service];
}

/** Every sample of a service's /metrics, by name and labels as written. */
export async function scrape(url: string, init: RequestInit = {}): Promise<Map<string, number>> {
  return parsePrometheusText(await (await get(url, init)).text());
}

/**
 * A Node service's /metrics; undefined for a service that has none, or that does not answer
 * within 2 s (frozen, restarting): that reading is simply missing.
 */
export async function scrapeNodeService(
  lab: Lab,
  service: string,
): Promise<Map<string, number> | undefined> {
  const url = nodeMetricsUrl(lab, service);
  if (url === undefined) return undefined;
  return scrape(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
}

/**
 * The sum over label sets of the one metric named `blackout_<service>_<own>` (a service's prefix
 * is its own: `client`, not `clients`); undefined when the service has none.
 */
export function ownMetric(samples: ReadonlyMap<string, number>, own: string): number | undefined {
  const pattern = new RegExp(`^(blackout_[a-z]+_${own})(\\{|$)`);
  for (const key of samples.keys()) {
    const metric = pattern.exec(key)?.[1];
    if (metric !== undefined) return sumOf(samples, metric);
  }
  return undefined;
}
