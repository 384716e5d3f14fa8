import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useContextManager } from "../../../test/support/otelContext.ts";
import { createMetrics, observeWithTrace } from "../../lib/metrics.ts";
import { inPollSpan, markPollSpan } from "./pollSpans.ts";

const exporter = new InMemorySpanExporter();

useContextManager();
beforeAll(() => {
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
});
afterAll(() => {
  trace.disable();
});

describe("poll spans", () => {
  it("runs a poll inside `client poll`, which its request and its recording are part of", async () => {
    const metrics = createMetrics("client");
    const latency = metrics.histogram({
      name: "latency_seconds",
      help: "h",
      buckets: [1],
      enableExemplars: true,
    });

    const delay = await inPollSpan("client-7")(async () => {
      // What the poll's HTTP request would do: a child span of the active one.
      trace.getTracer("http").startSpan("GET").end();
      await new Promise((resolve) => setTimeout(resolve, 5));
      observeWithTrace(latency, 0.2);
      markPollSpan("ok");
      return 480;
    });

    expect(delay).toBe(480);
    const [request, poll] = exporter.getFinishedSpans();
    expect(poll?.name).toBe("client poll");
    expect(poll?.attributes).toMatchObject({
      "blackout.client.id": "client-7",
      "blackout.poll.result": "ok",
    });
    expect(request?.parentSpanContext?.spanId).toBe(poll?.spanContext().spanId);
    expect(await metrics.metricsText()).toContain(
      `# {trace_id="${poll?.spanContext().traceId}",span_id="${poll?.spanContext().spanId}"} 0.2`,
    );
  });

  it("marks a failed poll as an error with its detail, and ends the span if the poll throws", async () => {
    exporter.reset();
    await inPollSpan("client-1")(() => {
      markPollSpan("timeout", "no answer in 1000 ms");
      return Promise.resolve(0);
    });
    await expect(
      inPollSpan("client-2")(() => Promise.reject(new Error("callback bug"))),
    ).rejects.toThrow("callback bug");

    const [failed, thrown] = exporter.getFinishedSpans();
    expect(failed?.attributes["blackout.poll.result"]).toBe("timeout");
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: "no answer in 1000 ms" });
    expect(thrown?.attributes["blackout.client.id"]).toBe("client-2");
  });
});
