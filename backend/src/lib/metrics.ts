import { TraceFlags, trace } from "@opentelemetry/api";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type {
  CounterConfiguration,
  GaugeConfiguration,
  HistogramConfiguration,
  LabelValues,
  OpenMetricsContentType,
} from "prom-client";
import { addMemoryAfterGcMetric } from "./memoryAfterGc.ts";
import {
  spanExportCountsReader,
  type SpanExportCounts,
  type SpanExportCountsReader,
} from "./spanExportCounts.ts";

/**
 * The metric's own part of the name, `blackout_<service>_` is prepended. With `rawName` the name
 * is used as it is, for names the ecosystem fixes (`kafka_consumergroup_lag`) so that standard
 * dashboards work.
 */
type Options<C> = Omit<C, "registers"> & { readonly rawName?: boolean };

export interface Metrics {
  /** This service's registry; prom-client's global one is never used. */
  readonly registry: Registry<OpenMetricsContentType>;
  counter<L extends string = string>(options: Options<CounterConfiguration<L>>): Counter<L>;
  gauge<L extends string = string>(options: Options<GaugeConfiguration<L>>): Gauge<L>;
  histogram<L extends string = string>(options: Options<HistogramConfiguration<L>>): Histogram<L>;
  /** The OpenMetrics text exposition of every metric, for `/metrics`. */
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
  // OpenMetrics, not Prometheus's classic text: only it carries exemplars (the trace behind an
  // observation), and Prometheus and promtool read either.
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  collectDefaultMetrics({ register: registry, prefix });
  addMemoryAfterGcMetric(registry, prefix);
  const readSpanExportCounts = spanExportCountsReader();
  if (readSpanExportCounts !== undefined) {
    addSpanExportMetrics(registry, prefix, readSpanExportCounts);
  }

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

/**
 * The trace exporter's accounting on the service's own /metrics: spans exported, spans dropped
 * (by reason) and the queue, so that a dead or slow trace backend shows as a number rather than
 * as nothing.
 */
function addSpanExportMetrics(
  registry: Registry<OpenMetricsContentType>,
  prefix: string,
  read: SpanExportCountsReader,
): void {
  // A scrape collects the four metrics at once: they share one reading of the meter.
  let reading: Promise<SpanExportCounts> | undefined;
  const counts = () =>
    (reading ??= read().finally(() => {
      reading = undefined;
    }));
  new Counter({
    name: `${prefix}trace_spans_exported_total`,
    help: "Finished spans the trace backend accepted.",
    registers: [registry],
    async collect() {
      const { exported } = await counts();
      this.reset();
      this.inc(exported);
    },
  });
  new Counter({
    name: `${prefix}trace_spans_dropped_total`,
    help: "Finished spans lost instead of waited for, by reason: queue_full (the backend is slower than the service) or export_failed (unreachable, refused or timed out).",
    labelNames: ["reason"],
    registers: [registry],
    async collect() {
      const { queueFull, exportFailed } = await counts();
      this.reset();
      this.inc({ reason: "queue_full" }, queueFull);
      this.inc({ reason: "export_failed" }, exportFailed);
    },
  });
  const queueGauge = (name: string, help: string, pick: (c: SpanExportCounts) => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await counts()));
      },
    });
  queueGauge(
    "trace_span_queue",
    "Finished spans waiting to be exported; at trace_span_queue_capacity new ones are dropped.",
    (c) => c.queued,
  );
  queueGauge(
    "trace_span_queue_capacity",
    "The trace export queue's capacity (OTEL_BSP_MAX_QUEUE_SIZE).",
    (c) => c.capacity,
  );
}

/**
 * Observes `value`, with the active span's trace as the exemplar when that span is sampled, so
 * that a point on a latency panel leads to the trace of a request behind it. The histogram must
 * have been created with `enableExemplars: true`.
 */
export function observeWithTrace<L extends string>(
  histogram: Histogram<L>,
  value: number,
  labels: Partial<Record<L, string | number>> = {},
): void {
  const context = trace.getActiveSpan()?.spanContext();
  const sampled = context !== undefined && (context.traceFlags & TraceFlags.SAMPLED) !== 0;
  const exemplar = sampled ? { trace_id: context.traceId, span_id: context.spanId } : {};
  // prom-client types exemplar labels as the metric's own label names; they are free-form.
  histogram.observe({ labels, value, exemplarLabels: exemplar as LabelValues<L> });
}
