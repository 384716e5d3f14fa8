import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

/**
 * The metric's own part of the name, `blackout_<service>_` is prepended. With `rawName` the name
 * is used as it is, for names the ecosystem fixes (`kafka_consumergroup_lag`) so that standard
 * dashboards work.
 */
type Options<C> = Omit<C, "registers"> & { readonly rawName?: boolean };

export interface Metrics {
  /** This service's registry; prom-client's global one is never used. */
  readonly registry: Registry;
  counter<L extends string = string>(options: Options<CounterConfiguration<L>>): Counter<L>;
  gauge<L extends string = string>(options: Options<GaugeConfiguration<L>>): Gauge<L>;
  histogram<L extends string = string>(options: Options<HistogramConfiguration<L>>): Histogram<L>;
  /** The Prometheus text exposition of every metric, for `/metrics`. */
  metricsText(): Promise<string>;
}

const snakeCase = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Metrics of one service, named `blackout_<service>_<what>_<unit>` with Node's process metrics
 * under the same prefix.
 *
 * Names are checked when a metric is created, so a wrong one fails at start, not on a dashboard:
 * every name is snake_case, counters end in `_total`, and gauges and histograms do not (Prometheus
 * tooling reads `_total` as "counter"). Base units (`_seconds`, `_bytes`) are a convention this
 * does not check: a count of records or an `_info` gauge has no unit to check.
 */
export function createMetrics(service: string): Metrics {
  if (!snakeCase.test(service)) {
    throw new Error(`metrics service name "${service}" must be snake_case`);
  }
  const prefix = `blackout_${service}_`;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });

  function fullName(kind: "counter" | "gauge" | "histogram", name: string, raw = false): string {
    if (!snakeCase.test(name)) throw new Error(`${kind} "${name}" must be snake_case`);
    const full = raw ? name : prefix + name;
    if (kind === "counter" && !full.endsWith("_total")) {
      throw new Error(`counter "${full}" must end in _total`);
    }
    if (kind !== "counter" && full.endsWith("_total")) {
      throw new Error(`${kind} "${full}" must not end in _total, which marks a counter`);
    }
    return full;
  }

  return {
    registry,
    counter: ({ rawName, ...options }) =>
      new Counter({
        ...options,
        name: fullName("counter", options.name, rawName),
        registers: [registry],
      }),
    gauge: ({ rawName, ...options }) =>
      new Gauge({
        ...options,
        name: fullName("gauge", options.name, rawName),
        registers: [registry],
      }),
    histogram: ({ rawName, ...options }) =>
      new Histogram({
        ...options,
        name: fullName("histogram", options.name, rawName),
        registers: [registry],
      }),
    metricsText: () => registry.metrics(),
  };
}
