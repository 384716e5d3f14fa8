import { setTimeout as sleep } from "node:timers/promises";
import { TargetStateError, UnknownTargetError, type Orchestrator } from "./orchestrator.ts";
import { type LifecycleEvent } from "../../contract/targets.ts";
import { type Target } from "../../contract/targets.ts";

export interface LocalOrchestratorOptions {
  /** The supervisor's API, e.g. `http://127.0.0.1:7400`. */
  url: string;
  fetch?: typeof fetch;
}

const REQUEST_TIMEOUT_MS = 10_000;
const RECONNECT_DELAY_MS = 1000;

/**
 * The `local` orchestrator: control's view of the lab's supervisor (localSupervisor.ts) through
 * its loopback HTTP API (supervisorApp.ts). Lifecycle events come over one Server-Sent Events
 * stream, opened on the first subscription; after a dropped connection it resumes after the last
 * event seen, so listeners miss nothing the supervisor still buffers and see nothing twice.
 */
export function createLocalOrchestrator(options: LocalOrchestratorOptions): Orchestrator {
  const base = options.url.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? fetch;
  const listeners = new Set<(event: LifecycleEvent) => void>();
  const closing = new AbortController();
  let lastSeq: number | undefined;
  let following: Promise<void> | undefined;

  /** One API call; `target` names the target a per-target route acts on, for its errors. */
  async function call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    target?: string,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (error) {
      const what = `${method} ${path}`;
      throw new Error(`supervisor at ${base} did not answer ${what}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (response.ok) return json;
    const answer = (json ?? {}) as { error?: unknown; targets?: unknown };
    const message = typeof answer.error === "string" ? answer.error : text.slice(0, 200);
    if (target !== undefined && response.status === 404 && Array.isArray(answer.targets)) {
      throw new UnknownTargetError(target, answer.targets.map(String));
    }
    if (target !== undefined && response.status === 409) {
      throw new TargetStateError(target, message);
    }
    throw new Error(`supervisor answered ${response.status} to ${path}: ${message}`);
  }

  function dispatch(event: LifecycleEvent): void {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's failure is its own; the others still get the event.
      }
    }
  }

  async function follow(): Promise<void> {
    const signal = closing.signal;
    while (!signal.aborted) {
      try {
        const response = await fetchImpl(`${base}/api/events`, {
          headers: lastSeq === undefined ? {} : { "last-event-id": String(lastSeq) },
          signal,
        });
        if (!response.ok || response.body === null) {
          await response.body?.cancel();
          throw new Error(`supervisor answered ${response.status} to /api/events`);
        }
        for await (const message of serverSentEvents(response.body)) {
          const seq = Number(message.id);
          // A replay after a reconnect can overlap what was seen already.
          if (!Number.isInteger(seq) || (lastSeq !== undefined && seq <= lastSeq)) continue;
          lastSeq = seq;
          dispatch(JSON.parse(message.data) as LifecycleEvent);
        }
      } catch {
        // A dropped connection or a supervisor that is restarting: try again below.
      }
      await sleep(RECONNECT_DELAY_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  return {
    mode: "local",
    async targets() {
      return (await call("GET", "/api/targets")) as Target[];
    },
    async kill(name, mode) {
      const body = await call(
        "POST",
        `/api/targets/${encodeURIComponent(name)}/kill`,
        { mode },
        name,
      );
      return signalTime(body);
    },
    async freeze(name, seconds) {
      const body = await call(
        "POST",
        `/api/targets/${encodeURIComponent(name)}/freeze`,
        { seconds },
        name,
      );
      return signalTime(body);
    },
    async thawAll() {
      return ((await call("POST", "/api/thaw")) as { thawed: string[] }).thawed;
    },
    resumeFreezes() {
      // The supervisor's thaw timers outlive control.
      return Promise.resolve();
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!closing.signal.aborted) following ??= follow();
      return () => listeners.delete(listener);
    },
    async close() {
      closing.abort();
      await following;
    },
  };
}

interface ServerSentEvent {
  id: string;
  data: string;
}

/**
 * The events of a text/event-stream body: the part of the format the supervisor writes (`id` and
 * `data` fields, comments, blank-line separators, LF or CRLF). The id persists across events, as
 * in EventSource.
 */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  let buffer = "";
  let id = "";
  let data: string[] = [];
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines.map((l) => l.replace(/\r$/, ""))) {
      if (line === "") {
        if (data.length > 0) yield { id, data: data.join("\n") };
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** When the supervisor sent the signal; this side's clock if an older supervisor did not say. */
function signalTime(body: unknown): number {
  const at = (body as { at?: unknown } | null)?.at;
  return typeof at === "number" ? at : Date.now();
}
