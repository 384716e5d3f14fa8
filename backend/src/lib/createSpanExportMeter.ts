import type { MeterProvider as MeterProviderApi } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { SpanExportCounts } from "./spanExportCounts.ts";

/** Read on demand (when /metrics is scraped): nothing is pushed anywhere. */
class PullMetricReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface SpanExportMeter {
  /** For the batch span processor's `selfObsMeterProvider`. */
  readonly meterProvider: MeterProviderApi;
  read(): Promise<SpanExportCounts>;
}

/**
 * The batch span processor's own accounting (the OpenTelemetry semantic conventions' SDK
 * metrics: `otel.sdk.processor.span.processed` with `error.type`, and the queue's size and
 * capacity), read back as plain counts. Dropping instead of waiting is what keeps a dead trace
 * backend from slowing a service; these counts are how an operator sees that it happened.
 */
export function createSpanExportMeter(): SpanExportMeter {
  const reader = new PullMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    meterProvider,
    async read() {
      const { resourceMetrics } = await reader.collect();
      const counts = { exported: 0, queueFull: 0, exportFailed: 0, queued: 0, capacity: 0 };
      for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
        for (const point of metric.dataPoints) {
          const value = typeof point.value === "number" ? point.value : 0;
          switch (metric.descriptor.name) {
            case "otel.sdk.processor.span.processed": {
              const error = point.attributes["error.type"];
              if (error === undefined) counts.exported += value;
              else if (error === "queue_full") counts.queueFull += value;
              else counts.exportFailed += value;
              break;
            }
            case "otel.sdk.processor.span.queue.size":
              counts.queued += value;
              break;
            case "otel.sdk.processor.span.queue.capacity":
              counts.capacity += value;
              break;
            default:
              break;
          }
        }
      }
      return counts;
    },
  };
}
