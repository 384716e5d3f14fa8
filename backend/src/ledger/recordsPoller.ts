import type { PollFailureReason } from "./ledger.ts";
import { parseRecordsAnswer } from "../contract/recordsAnswer.ts";
import type { RecordsAnswer } from "../contract/recordsAnswer.ts";
import { backoffDelay } from "./backoffDelay.ts";

/** What the client's connection looks like to its user. */
export type ConnectionState =
  | { readonly kind: "connecting" }
  | { readonly kind: "live" }
  /** `attempt` failed polls in a row; the next one starts at `nextAt`. */
  | { readonly kind: "reconnecting"; readonly attempt: number; readonly nextAt: number };

/** The part of a `Response` the poller reads. */
export interface FetchAnswer {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** The part of `fetch` the poller uses: the browser's, Node's, the fleet's own, or a test's. */
export type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<FetchAnswer>;

export interface RecordsPollerOptions {
  /**
   * The records API. The page passes the relative `api/records`, so that the same page works
   * through the gateway and on a consumer directly.
   */
  readonly url: string;
  readonly pollMs: number;
  /** A poll without a complete answer by then fails as a timeout. Default 2 × pollMs, at least 1 s. */
  readonly timeoutMs?: number;
  /** The longest wait between retries. Default 5 s (never below pollMs). */
  readonly maxBackoffMs?: number;
  /**
   * Spreads each interval by ± this fraction of pollMs (e.g. 0.1), so that many simulated clients
   * do not poll in lockstep. Default 0: the page polls on the beat.
   */
  readonly jitter?: number;
  /**
   * Long-polling: each poll asks the consumer to hold its answer up to this long until a record
   * arrives (`wait=`), and the next poll starts as soon as an answer came. 0 (default): polling.
   */
  readonly waitMs?: number;
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly random: () => number;
  /** `roundTripMs`: from the request to the whole answer (a long-poll's wait included). */
  readonly onAnswer: (answer: RecordsAnswer, receivedAt: number, roundTripMs: number) => void;
  readonly onFailure: (at: number, reason: PollFailureReason, detail: string) => void;
  /**
   * Runs each poll, callbacks included; the fleet runs it inside a trace span. Default: as it is.
   */
  readonly aroundPoll?: <T>(poll: () => Promise<T>) => Promise<T>;
}

export interface RecordsPoller {
  start(): void;
  /** Stops polling and aborts a poll in flight; nothing is reported after it. */
  stop(): void;
  state(): ConnectionState;
}

type Outcome =
  | { readonly ok: true; readonly answer: RecordsAnswer }
  | {
      readonly ok: false;
      readonly reason: PollFailureReason;
      readonly detail: string;
      readonly forgetCursor?: boolean;
    };

/**
 * Polls the records API with the client's cursor: every `pollMs` (start to start) while answers
 * come, at once after a truncated answer, with capped exponential backoff and jitter while they do not, and back to `pollMs` with
 * the first answer. It never gives up. The first poll has no cursor, so the client subscribes from
 * now.
 */
export function createRecordsPoller(options: RecordsPollerOptions): RecordsPoller {
  const { pollMs } = options;
  const waitMs = options.waitMs ?? 0;
  // A held answer is not a late one: the wait comes on top of the timeout.
  const timeoutMs = (options.timeoutMs ?? Math.max(1000, 2 * pollMs)) + waitMs;
  const maxBackoffMs = Math.max(pollMs, options.maxBackoffMs ?? 5000);
  let cursor: string | undefined;
  let failures = 0;
  let state: ConnectionState = { kind: "connecting" };
  let running = false;
  // A poll that was in flight across stop() and start() belongs to the old run: ignored.
  let run = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  function urlFor(position: string | undefined): string {
    if (position === undefined) return options.url;
    const separator = options.url.includes("?") ? "&" : "?";
    const wait = waitMs > 0 ? `&wait=${waitMs}` : "";
    return `${options.url}${separator}cursor=${encodeURIComponent(position)}${wait}`;
  }

  async function request(signal: AbortSignal): Promise<Outcome> {
    let text: string;
    let response: FetchAnswer;
    try {
      response = await options.fetch(urlFor(cursor), { signal });
      text = await response.text();
    } catch (error) {
      if (signal.aborted)
        return { ok: false, reason: "timeout", detail: `no answer in ${timeoutMs} ms` };
      return { ok: false, reason: networkFailure(error), detail: describe(error) };
    }
    if (!response.ok) {
      return {
        ok: false,
        reason: "http",
        detail: `HTTP ${response.status}${errorMessage(text)}`,
        // A consumer that rejects the cursor would reject it forever: subscribe again instead.
        // The ledger still counts any number skipped that way as missing.
        forgetCursor: response.status === 400,
      };
    }
    try {
      return { ok: true, answer: parseRecordsAnswer(JSON.parse(text)) };
    } catch (error) {
      return { ok: false, reason: "bad-answer", detail: describe(error) };
    }
  }

  /** One poll; answers how long to wait before the next. */
  async function poll(): Promise<number> {
    const ownRun = run;
    const startedAt = options.now();
    const controller = new AbortController();
    inFlight = controller;
    const timeout = setTimeout(() => controller.abort(), timeoutMs);
    let outcome: Outcome;
    try {
      outcome = await request(controller.signal);
    } finally {
      clearTimeout(timeout);
      inFlight = undefined;
    }
    if (!running || ownRun !== run) return pollMs;
    const at = options.now();
    if (outcome.ok) {
      cursor = outcome.answer.cursor === "" ? undefined : outcome.answer.cursor;
      failures = 0;
      state = { kind: "live" };
      options.onAnswer(outcome.answer, at, at - startedAt);
      // More records are waiting than one answer carried: ask for them now, so that a client
      // that fell behind catches up faster than records arrive instead of one answer per pollMs.
      if (outcome.answer.truncated || waitMs > 0) return 0;
      const spread = pollMs * (options.jitter ?? 0) * (2 * options.random() - 1);
      return Math.max(0, startedAt + pollMs + spread - at);
    }
    if (outcome.forgetCursor === true) cursor = undefined;
    failures += 1;
    const delay = backoffDelay(
      failures,
      { initialMs: pollMs, maxMs: maxBackoffMs },
      options.random,
    );
    state = { kind: "reconnecting", attempt: failures, nextAt: at + delay };
    options.onFailure(at, outcome.reason, outcome.detail);
    return delay;
  }

  function schedule(delay: number): void {
    const ownRun = run;
    timer = setTimeout(() => {
      timer = undefined;
      (options.aroundPoll ?? ((run) => run()))(poll).then(
        (next) => {
          if (running && ownRun === run) schedule(next);
        },
        (error: unknown) => {
          // A callback threw: a bug to surface, but the client keeps polling.
          if (running && ownRun === run) schedule(pollMs);
          queueMicrotask(() => {
            throw error;
          });
        },
      );
    }, delay);
  }

  return {
    start() {
      if (running) return;
      running = true;
      run += 1;
      schedule(0);
    },
    stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
    },
    state() {
      return state;
    },
  };
}

/** Node's fetch names a refused connection in the error's cause; a browser cannot tell. */
function networkFailure(error: unknown): PollFailureReason {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === "ECONNREFUSED" ? "refused" : "network";
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${error.message} (${code})` : error.message;
}

/** The `{ "error": … }` a Blackout service answers with, or the start of whatever else came. */
function errorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { error?: unknown } | null)?.error;
    if (typeof message === "string") return `: ${message}`;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the raw text.
  }
  const text = body.trim().slice(0, 200);
  return text === "" ? "" : `: ${text}`;
}
