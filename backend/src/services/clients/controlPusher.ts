import type { Logger } from "../../lib/logger.ts";
import type { ClientsMetrics } from "./clientsMetrics.ts";
import type { FleetEvent, FleetSummary } from "./fleet.ts";

/** The part of `fetch` the pusher uses: Node's, or a test's. */
export type PostFetch = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<Response>;

export interface ControlPusherOptions {
  /** Control's base URL; summaries go to `/api/fleet/summary`, events to `/api/fleet/events`. */
  readonly controlUrl: string;
  readonly fetch: PostFetch;
  readonly metrics: Pick<ClientsMetrics, "pushes" | "pushDropped">;
  readonly logger: Logger;
  /** How often a flush runs once started. Default 1 s. */
  readonly intervalMs?: number;
  /** Events kept while control is unreachable; beyond it the oldest are dropped. Default 10 000. */
  readonly maxQueuedEvents?: number;
  /** Events sent in one POST at most. Default 2 000. */
  readonly maxBatch?: number;
  /** A POST without an answer by then has failed. Default 2 s. */
  readonly timeoutMs?: number;
}

export interface ControlPusher {
  // Properties, not methods: the fleet is handed them unbound as its callbacks.
  /** Queues an event for the next batch. */
  readonly event: (event: FleetEvent) => void;
  /** The summary for the next flush; one still unsent is replaced (and counted as dropped). */
  readonly summary: (summary: FleetSummary) => void;
  /**
   * Sends the pending summary and a batch of events. Never rejects: a failure keeps the events
   * queued (oldest dropped beyond the bound) and drops the summary, which the next one supersedes.
   * Waits for a flush already running instead of starting a second one.
   */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and waits for a flush in flight; what is still queued is not sent. */
  stop(): Promise<void>;
  /** Events waiting to be sent. */
  readonly queued: number;
}

/**
 * Pushes the fleet's summaries and anomaly events to control, batched per flush, so that a fleet
 * of 1 000 clients costs control two requests a second. Control may be down (it is killed in the
 * lab too, or not started yet): events then wait in a bounded queue, and what does not fit is
 * dropped oldest first and counted in `push_dropped_total`, so that the fleet's memory stays
 * bounded and the loss is visible.
 */
export function createControlPusher(options: ControlPusherOptions): ControlPusher {
  const { metrics, logger } = options;
  const base = options.controlUrl.replace(/\/+$/, "");
  const intervalMs = options.intervalMs ?? 1000;
  const maxQueued = options.maxQueuedEvents ?? 10_000;
  const maxBatch = options.maxBatch ?? 2000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let queue: FleetEvent[] = [];
  let pendingSummary: FleetSummary | undefined;
  let flushing: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let reachable = true;

  function dropOldest(): void {
    const excess = queue.length - maxQueued;
    if (excess <= 0) return;
    queue.splice(0, excess);
    metrics.pushDropped.inc({ kind: "event" }, excess);
  }

  async function post(kind: "summary" | "events", path: string, body: unknown): Promise<boolean> {
    try {
      const response = await options.fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drained, so that the connection goes back to the keep-alive pool.
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      metrics.pushes.inc({ kind, result: "ok" });
      if (!reachable) logger.info("control reachable again: pushing");
      reachable = true;
      return true;
    } catch (error) {
      metrics.pushes.inc({ kind, result: "failed" });
      // Once per outage: a fleet pushing every second must not fill the log while control is down.
      if (reachable)
        logger.warn({ err: error, url: base }, "cannot push to control: queuing events");
      reachable = false;
      return false;
    }
  }

  async function send(): Promise<void> {
    const summary = pendingSummary;
    pendingSummary = undefined;
    if (summary !== undefined && !(await post("summary", "/api/fleet/summary", summary))) {
      metrics.pushDropped.inc({ kind: "summary" });
    }
    dropOldest();
    if (queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    if (!(await post("events", "/api/fleet/events", { events: batch }))) {
      // Back to the front, in order: what arrived meanwhile is newer.
      queue = batch.concat(queue);
      dropOldest();
    }
  }

  /** Starts a flush unless one is running; `flushing` holds it until it settles (it never rejects). */
  function startFlush(): void {
    flushing ??= send().finally(() => {
      flushing = undefined;
    });
  }

  return {
    event: (event) => {
      queue.push(event);
      // Trimmed in bulk rather than per event: a storm of events costs one splice, not one each.
      if (queue.length >= 2 * maxQueued) dropOldest();
    },
    summary: (summary) => {
      if (pendingSummary !== undefined) metrics.pushDropped.inc({ kind: "summary" });
      pendingSummary = summary;
    },
    async flush() {
      startFlush();
      await flushing;
    },
    start() {
      // A slow control makes flushes outlast the interval: the running one goes on, not doubled.
      timer ??= setInterval(startFlush, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await flushing;
    },
    get queued() {
      return queue.length;
    },
  };
}
