import { isSpanContextValid, trace } from "@opentelemetry/api";
import { pino } from "pino";
import type { DestinationStream, LevelWithSilent, Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** The service or component, written as `name` on every line. */
  readonly name: string;
  readonly level: LevelWithSilent;
}

/**
 * A JSON logger for stdout. Lines written inside a traced operation carry `trace_id` and `span_id`
 * so that a log line leads to its trace and back.
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      // Labels rather than pino's numbers: log queries read `level="warn"` without a lookup table.
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeSpanIds,
    },
    destination,
  );
}

function activeSpanIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
