import { propagation, trace, type TextMapPropagator } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useContextManager } from "../../../test/support/otelContext.ts";
import { inRecordSpan } from "./recordSpan.ts";

const exporter = new InMemorySpanExporter();
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const producerSpanId = "00f067aa0ba902b7";

/** W3C's `traceparent`, extract only: what the services' SDK registers by default. */
const traceparent: TextMapPropagator = {
  inject: () => undefined,
  fields: () => ["traceparent"],
  extract(context, carrier, getter) {
    const value = getter.get(carrier, "traceparent");
    const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value));
    if (match === null) return context;
    const [, id = "", spanId = "", flags = "00"] = match;
    return trace.setSpanContext(context, {
      traceId: id,
      spanId,
      traceFlags: Number.parseInt(flags, 16),
      isRemote: true,
    });
  },
};

useContextManager();
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
  propagation.setGlobalPropagator(traceparent);
});
beforeEach(() => exporter.reset());
afterAll(() => {
  trace.disable();
  propagation.disable();
});

describe("inRecordSpan", () => {
  it("processes a record inside `process <topic>`, a child of the producer's span from its headers", () => {
    const headers = { traceparent: Buffer.from(`00-${traceId}-${producerSpanId}-01`) };
    expect(inRecordSpan("blackout.numbers", 2, headers, () => 41)).toBe(41);

    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe("process blackout.numbers");
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext?.spanId).toBe(producerSpanId);
    expect(span?.attributes).toMatchObject({
      "messaging.destination.name": "blackout.numbers",
      "messaging.destination.partition.id": "2",
    });
  });

  it("makes no span for a record without a trace context, or one not sampled", () => {
    inRecordSpan("t", 0, undefined, () => undefined);
    inRecordSpan("t", 0, { other: "x" }, () => undefined);
    inRecordSpan("t", 0, { traceparent: `00-${traceId}-${producerSpanId}-00` }, () => undefined);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("ends the span when processing throws", () => {
    const headers = { traceparent: `00-${traceId}-${producerSpanId}-01` };
    expect(() =>
      inRecordSpan("t", 0, headers, () => {
        throw new Error("bug");
      }),
    ).toThrow("bug");
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
