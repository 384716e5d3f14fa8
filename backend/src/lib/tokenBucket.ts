export interface TokenBucketOptions {
  /** How many calls may come at once (the bucket's size); it starts full. */
  readonly burst: number;
  /** One more call is allowed every this many ms, up to `burst`. */
  readonly intervalMs: number;
  readonly now: () => number;
}

/** A call taken, or refused with how long until one would be taken. */
export type Take =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface TokenBucket {
  readonly burst: number;
  readonly intervalMs: number;
  /** Takes one token if there is one; a refusal takes nothing. */
  take(): Take;
}

/**
 * A token bucket: `burst` calls at once, then one every `intervalMs`. Tokens refill continuously
 * from the clock it is given, so a refusal names the exact wait and a test can move time by hand.
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { burst, intervalMs, now } = options;
  let tokens = burst;
  let at = now();
  return {
    burst,
    intervalMs,
    take() {
      const current = now();
      // A clock that steps back (a test's, or a corrected wall clock) refills nothing.
      tokens = Math.min(burst, tokens + Math.max(0, current - at) / intervalMs);
      at = current;
      if (tokens >= 1) {
        tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) * intervalMs) };
    },
  };
}
