import { setTimeout as sleep } from "node:timers/promises";
import { BlackoutError } from "./errors.ts";

export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  timeoutMs: number;
  /** The first wait between probes (default 250 ms). */
  intervalMs?: number;
  /**
   * Back off: each wait doubles up to this, with ±20 % jitter, so that many waiters on one slow
   * broker neither hammer it nor probe in lock step. Unset, every wait is `intervalMs`.
   */
  maxIntervalMs?: number;
  /** Jitter source, for tests; Math.random by default. */
  random?: () => number;
}

/** Thrown by a probe when waiting longer cannot help (the process it waits for exited). */
export class WaitAborted extends BlackoutError {
  override readonly name = "WaitAborted";

  constructor(message: string) {
    super("wait_aborted", message);
  }
}

/**
 * Polls `probe` until it returns a value other than undefined/false. Errors thrown by the probe
 * count as "not yet" (a broker that is still starting refuses connections); the last one is
 * reported when time runs out. A `WaitAborted` ends the wait at once. Never waits past the deadline: the last wait is cut to fit.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const random = options.random ?? Math.random;
  let interval = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${cause}`,
      );
    }
    const max = options.maxIntervalMs;
    const wait = max === undefined ? interval : interval * (0.8 + 0.4 * random());
    await sleep(Math.min(wait, left));
    if (max !== undefined) interval = Math.min(interval * 2, max);
  }
}
