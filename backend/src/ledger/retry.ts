import { backoffDelay, type BackoffOptions } from "./backoffDelay.ts";

export interface RetryOptions extends BackoffOptions {
  /** Tries at most this many times in all. Unset: until `deadline`, or for as long as it fails. */
  readonly attempts?: number;
  /** A failure at or after this time (by `now`) is thrown instead of tried again. */
  readonly deadline?: number;
  /** Aborting ends the retry at once, with the signal's reason, also during a wait. */
  readonly signal?: AbortSignal;
  /** Whether another try may help; an error it refuses is thrown at once. Default: every error. */
  readonly retriable?: (error: unknown) => boolean;
  /** Before each wait: the error, the attempt that failed (1 for the first) and the wait. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Calls `attempt` (with its number, 1 for the first) until it resolves, waiting `backoffDelay`
 * between tries: doubling from `initialMs` up to `maxMs`, with jitter so that clients failing
 * together do not retry together. Without a Node import, so that the browser's page can use it.
 */
export async function retry<T>(
  attempt: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  for (let tried = 1; ; tried++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(tried);
    } catch (error) {
      const last =
        tried === options.attempts ||
        (options.deadline !== undefined && now() >= options.deadline) ||
        options.retriable?.(error) === false;
      if (last) throw error;
      const delay = backoffDelay(tried, options, random);
      options.onRetry?.(error, tried, delay);
      await sleep(delay, options.signal);
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
