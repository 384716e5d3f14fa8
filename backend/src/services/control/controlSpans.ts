import { SpanStatusCode, context, trace, type Attributes } from "@opentelemetry/api";
import type { Scorecard } from "../../contract/scorecard.ts";
import type { Fault } from "../../contract/fault.ts";
import { isRefusal } from "../../lib/errors.ts";

// The global tracer: a no-op unless the OpenTelemetry SDK was started (telemetry.ts), so control
// without a trace backend pays nothing.
const tracer = () => trace.getTracer("blackout-control");

/** What finds a fault in a trace backend: `blackout.fault.id` and the fault's target and kind. */
export function faultAttributes(fault: Fault): Attributes {
  return {
    "blackout.fault.id": fault.id,
    "blackout.fault.target": fault.target,
    "blackout.fault.kind": fault.kind,
    "blackout.fault.action": fault.action,
    "blackout.fault.actor": fault.actor,
    "blackout.fault.selector": fault.selector,
    ...(fault.mode !== undefined ? { "blackout.fault.mode": fault.mode } : {}),
    ...(fault.seconds !== undefined ? { "blackout.fault.seconds": fault.seconds } : {}),
  };
}

/**
 * Runs an injection in a span `fault <action>`, so that what it causes (the orchestrator's call to
 * the supervisor or the Kubernetes API) is part of the same trace; once the fault exists its
 * attributes go on the span. A refusal (thrown, see isRefusal) or a dry run is recorded too, without a
 * fault id.
 */
export function traceInjection<T>(
  action: string,
  selector: string,
  inject: () => Promise<T>,
  faultOf: (result: T) => Fault | undefined,
): Promise<T> {
  return tracer().startActiveSpan(
    `fault ${action}`,
    { attributes: { "blackout.fault.selector": selector, "blackout.fault.action": action } },
    async (span) => {
      try {
        const result = await inject();
        const fault = faultOf(result);
        if (fault !== undefined) span.setAttributes(faultAttributes(fault));
        return result;
      } catch (error) {
        // A refusal is the caller's to fix, not a failed injection.
        if (!isRefusal(error)) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A termination control saw but did not cause (`kill -9`, `kubectl delete`): a span at its t0. */
export function traceObservedFault(fault: Fault): void {
  tracer()
    .startSpan(`fault ${fault.action} observed`, {
      startTime: fault.t0,
      attributes: faultAttributes(fault),
    })
    .end();
}

/**
 * A fault's report is complete: a span from t0 to recovery, with the three recovery times.
 * `during` runs with that span active.
 */
export function traceRecovery(fault: Fault, completedAt: number, during: () => void): void {
  const { report } = fault;
  const known = Object.entries({
    "blackout.recovery.pod_ms": report.podRecoveryMs,
    "blackout.recovery.lag_ms": report.lagRecoveryMs,
    "blackout.recovery.client_p50_ms": report.clientRecovery?.p50Ms ?? null,
    "blackout.recovery.client_p99_ms": report.clientRecovery?.p99Ms ?? null,
    "blackout.recovery.client_max_ms": report.clientRecovery?.maxMs ?? null,
  }).filter((entry): entry is [string, number] => entry[1] !== null);
  const times: Attributes = {
    "blackout.fault.timed_out": report.timedOut,
    ...Object.fromEntries(known),
  };
  const span = tracer().startSpan(`fault ${fault.id} recovery`, {
    startTime: fault.t0,
    attributes: { ...faultAttributes(fault), ...times },
  });
  try {
    context.with(trace.setSpan(context.active(), span), during);
  } finally {
    span.end(completedAt);
  }
}

/** A finished scenario run: a span from its start to its end, found by `blackout.run.id`. */
export function traceRun(run: Scorecard["run"], faultIds: readonly string[]): void {
  if (run.endedAt === null) return;
  tracer()
    .startSpan(`scenario run ${run.scenario}`, {
      startTime: run.startedAt,
      attributes: {
        "blackout.run.id": run.id,
        "blackout.run.scenario": run.scenario,
        "blackout.run.status": run.status,
        "blackout.run.actor": run.actor,
        "blackout.run.seed": run.seed,
        "blackout.fault.ids": [...faultIds],
      },
    })
    .end(run.endedAt);
}
