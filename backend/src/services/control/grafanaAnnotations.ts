import type { Logger } from "../../lib/logger.ts";
import { faultEnd, type Fault } from "../../contract/fault.ts";
import { formatDuration } from "../../contract/formatDuration.ts";

export interface GrafanaAnnotationsOptions {
  /** Grafana's base URL (GRAFANA_URL). */
  readonly url: string;
  /** A service account token with the annotations:write permission (GRAFANA_TOKEN). */
  readonly token: string;
  readonly fetch: typeof fetch;
  readonly logger: Logger;
  /** Each request's deadline: a slow Grafana costs a region, never a fault. Default 5 s. */
  readonly timeoutMs?: number;
  /** Requests waiting beyond this are dropped, oldest first. Default 1 000. */
  readonly maxQueued?: number;
  /** Counts each request's outcome (created, updated, found, failed, dropped). */
  readonly onResult?: (result: AnnotationResult) => void;
}

export type AnnotationResult = "created" | "updated" | "found" | "failed" | "dropped";

export interface GrafanaAnnotations {
  /** Called with every fault change; returns at once, the HTTP calls run in the background. */
  faultChanged(fault: Fault): void;
  /** Waits for the requests queued so far (for a clean stop), at most `limitMs` if given. */
  drain(limitMs?: number): Promise<void>;
}

/**
 * Each fault as an annotation region in Grafana (its HTTP API, `/api/annotations`): created when
 * control first sees the fault, from t0, tagged `blackout`, kind, action, target, mode and the
 * fault id; its end moved to the recovery and its text given the three recovery times and the
 * totals when the report completes.
 *
 * Requests run one at a time in the background, in order (an update needs the region's id), each
 * with a deadline. Before creating a region the fault id is looked up by tag, so a restarted
 * control that sees its faults again (it reloads them from Kafka) does not draw them twice.
 */
export function createGrafanaAnnotations(options: GrafanaAnnotationsOptions): GrafanaAnnotations {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxQueued = options.maxQueued ?? 1000;
  const ids = new Map<string, number>();
  const completed = new Set<string>();
  const queue: (() => Promise<void>)[] = [];
  let running: Promise<void> | undefined;

  async function call(method: string, path: string, body?: object): Promise<unknown> {
    const response = await options.fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }

  /** The region's id: found by the fault id's tag, or created. */
  async function ensure(fault: Fault): Promise<number> {
    const known = ids.get(fault.id);
    if (known !== undefined) return known;
    const query = new URLSearchParams([
      ["tags", "blackout"],
      ["tags", fault.id],
      ["limit", "1"],
    ]);
    const found = (await call("GET", `/api/annotations?${query.toString()}`)) as { id?: unknown }[];
    const existing = found[0]?.id;
    if (typeof existing === "number") {
      ids.set(fault.id, existing);
      options.onResult?.("found");
      return existing;
    }
    const created = (await call("POST", "/api/annotations", {
      time: fault.t0,
      timeEnd: fault.t0,
      tags: tagsOf(fault),
      text: textOf(fault),
    })) as { id?: unknown };
    if (typeof created.id !== "number") throw new Error("POST /api/annotations: no id in answer");
    ids.set(fault.id, created.id);
    options.onResult?.("created");
    return created.id;
  }

  async function complete(fault: Fault): Promise<void> {
    const id = await ensure(fault);
    await call("PATCH", `/api/annotations/${id}`, {
      time: fault.t0,
      // A complete fault: its end does not depend on now.
      timeEnd: faultEnd(fault, fault.t0),
      tags: tagsOf(fault),
      text: textOf(fault),
    });
    options.onResult?.("updated");
  }

  function enqueue(what: string, work: () => Promise<void>): void {
    if (queue.length >= maxQueued) {
      queue.shift();
      options.onResult?.("dropped");
      options.logger.warn({ maxQueued }, "Grafana annotations: queue full, dropped the oldest");
    }
    queue.push(async () => {
      try {
        await work();
      } catch (error) {
        options.onResult?.("failed");
        options.logger.warn({ err: error, what }, "Grafana annotations: request failed");
      }
    });
    running ??= runQueue();
  }

  async function runQueue(): Promise<void> {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await next();
    running = undefined;
  }

  return {
    faultChanged(fault) {
      if (fault.report.status === "complete") {
        if (completed.has(fault.id)) return;
        completed.add(fault.id);
        enqueue(`complete ${fault.id}`, () => complete(fault));
      } else if (!ids.has(fault.id)) {
        enqueue(`create ${fault.id}`, async () => {
          await ensure(fault);
        });
      }
    },
    async drain(limitMs) {
      const drained = (async () => {
        while (running !== undefined) await running;
      })();
      if (limitMs === undefined) return drained;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
      await Promise.race([drained, limit]);
      clearTimeout(timer);
    },
  };
}

function tagsOf(fault: Fault): string[] {
  return [
    "blackout",
    fault.kind,
    fault.action,
    fault.target,
    ...(fault.mode !== undefined ? [fault.mode] : []),
    fault.id,
  ];
}

function textOf(fault: Fault): string {
  const what = `${fault.action} ${fault.target}${fault.mode !== undefined ? ` (${fault.mode})` : ""} by ${fault.actor}`;
  const { report } = fault;
  if (report.status === "open") return `${what}: recovering (fault ${fault.id})`;
  const times = [
    `pod ${formatDuration(report.podRecoveryMs)}`,
    `client p99 ${formatDuration(report.clientRecovery?.p99Ms)}`,
    `lag ${formatDuration(report.lagRecoveryMs)}`,
  ].join(", ");
  const totals =
    report.totals === null
      ? "no totals"
      : `missing ${report.totals.missing}, duplicates ${report.totals.duplicates}, stale reads ${report.totals.staleReads}, failed polls ${report.totals.failedPolls}`;
  const end = report.timedOut ? "timed out" : "recovered";
  return `${what}: ${end}: ${times}; ${totals} (fault ${fault.id})`;
}
