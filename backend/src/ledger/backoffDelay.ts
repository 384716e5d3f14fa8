export interface BackoffOptions {
  /** The delay before the first retry. */
  readonly initialMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** The share of a delay that is random, 0 to 1. Default 0.2, as kafkajs does. */
  readonly jitter?: number;
}

/**
 * How long to wait before retry number `attempt` (1 for the first retry after a failure): doubling
 * from `initialMs` up to `maxMs`, shortened by a random share of up to `jitter`. The jitter only
 * shortens, so the cap holds, and clients that failed together (a consumer killed under a whole
 * fleet) do not come back together at the cap either.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - (options.jitter ?? 0.2) * random()));
}
