/**
 * What this process's tracing did with its finished spans: the link between telemetry (loaded
 * first, with `--import`) and each service's metrics registry (created later by the app). It
 * holds no OpenTelemetry code, so that a process without tracing loads nothing for it.
 */
export interface SpanExportCounts {
  /** Spans the trace backend accepted. */
  readonly exported: number;
  /** Spans lost because the queue was full: the backend is slower than the service. */
  readonly queueFull: number;
  /** Spans lost in failed exports: the backend is unreachable, refused them, or timed out. */
  readonly exportFailed: number;
  /** Spans waiting in the queue now. */
  readonly queued: number;
  /** The queue's capacity: spans beyond it are dropped, never waited for. */
  readonly capacity: number;
}

export type SpanExportCountsReader = () => Promise<SpanExportCounts>;

let reader: SpanExportCountsReader | undefined;

/** Called once by telemetry when it starts exporting. */
export function publishSpanExportCounts(read: SpanExportCountsReader): void {
  reader = read;
}

/** The counts' reader, or undefined when this process does not export traces. */
export function spanExportCountsReader(): SpanExportCountsReader | undefined {
  return reader;
}
