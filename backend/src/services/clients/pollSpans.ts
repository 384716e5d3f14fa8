import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { PollResult } from "./clientsMetrics.ts";

// The global tracer: a no-op unless the OpenTelemetry SDK was started (telemetry.ts).
const tracer = () => trace.getTracer("blackout-clients");

/**
 * Runs one simulated client's poll inside a span `client poll`: the root of the poll's trace (the
 * fleet's sampler decides there whether it is kept), the parent of its HTTP request, and the
 * active span while the answer is recorded, so that a latency observation carries this trace as
 * its exemplar.
 */
export function inPollSpan(clientId: string): <T>(poll: () => Promise<T>) => Promise<T> {
  return (poll) =>
    tracer().startActiveSpan(
      "client poll",
      { attributes: { "blackout.client.id": clientId } },
      async (span) => {
        try {
          return await poll();
        } finally {
          span.end();
        }
      },
    );
}

/** Marks the active poll span with how the poll ended (a failure with its reason). */
export function markPollSpan(result: PollResult, detail?: string): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute("blackout.poll.result", result);
  if (detail !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: detail });
}
