export interface LogThrottle {
  /**
   * Runs `log` for the first occurrence of `key` and then at most once per interval, passing how
   * many occurrences of that key it skipped since the last run; skipped ones are only counted.
   */
  (key: string, log: (skipped: number) => void): void;
}

/**
 * Keeps a flood of the same warning (a topic full of poison records, a crash loop) from flooding
 * the log, while the first one is logged at once and later ones say how many were left out.
 * Keys are few and fixed (a kind of oddity), so they are kept for good.
 */
export function createLogThrottle(options: {
  readonly intervalMs: number;
  readonly now?: () => number;
}): LogThrottle {
  const now = options.now ?? Date.now;
  const last = new Map<string, { at: number; skipped: number }>();
  return (key, log) => {
    const at = now();
    const previous = last.get(key);
    if (previous !== undefined && at - previous.at < options.intervalMs) {
      previous.skipped += 1;
      return;
    }
    last.set(key, { at, skipped: 0 });
    log(previous?.skipped ?? 0);
  };
}
