import { ROOT_CONTEXT, SpanKind, propagation, trace, type TextMapGetter } from "@opentelemetry/api";
import type { IHeaders } from "kafkajs";

// The global tracer: a no-op unless the OpenTelemetry SDK was started (createTelemetry.ts).
const tracer = () => trace.getTracer("blackout-consumer");

const headersGetter: TextMapGetter<IHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => {
    const value = headers[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/**
 * Runs `process` inside a span `process <topic>` whose parent is the trace context the producer
 * put in the record's headers, so that one record's journey stays one trace: its send and each
 * consumer's processing. kafkajs's instrumentation did that for `eachMessage`; for the
 * `eachBatch` the view consumer reads with, it starts a trace per batch and only links each
 * record's producer span. A record without a trace context (none was sampled, or the producer
 * did not trace) costs one property check.
 */
export function inRecordSpan<T>(
  topic: string,
  partition: number,
  headers: IHeaders | undefined,
  process: () => T,
): T {
  if (headers?.traceparent === undefined) return process();
  const parent = propagation.extract(ROOT_CONTEXT, headers, headersGetter);
  if (trace.getSpanContext(parent) === undefined) return process();
  const span = tracer().startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.destination.partition.id": String(partition),
      },
    },
    parent,
  );
  try {
    return process();
  } finally {
    span.end();
  }
}
