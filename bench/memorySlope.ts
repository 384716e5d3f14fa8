// How fast a service's memory grows over a long run, when a fault restarts it now and then.

/** One reading of a process's resident memory. */
export interface RssSample {
  /** ms epoch. */
  readonly at: number;
  /** The incarnation: a restart makes a new process, and its memory starts over. */
  readonly pid: number;
  readonly rssBytes: number;
}

export interface MemorySlope {
  /** The least-squares slope in MiB per hour; null with fewer than two samples past warm-up. */
  readonly mibPerHour: number | null;
  /** Samples the fit used (past each incarnation's warm-up). */
  readonly samples: number;
  readonly incarnations: number;
  /** How long the fitted samples span, added up over the incarnations (ms). */
  readonly spanMs: number;
}

const MIB_PER_HOUR = (60 * 60 * 1000) / 2 ** 20;

/**
 * One slope for a service across its incarnations: the least-squares fit of memory against time
 * with an intercept of each incarnation's own (pooled within-incarnation regression). A restart
 * that drops memory back to its start is then no decline, and a fresh process climbing to its
 * working set no leak: the first `warmupMs` of each incarnation (from its first sample) are left
 * out, since a process that was just started, or a lab that just came up, is still filling its
 * caches, JIT and heap.
 */
export function memorySlope(samples: readonly RssSample[], warmupMs: number): MemorySlope {
  const byPid = new Map<number, RssSample[]>();
  for (const sample of samples) {
    const incarnation = byPid.get(sample.pid) ?? [];
    incarnation.push(sample);
    byPid.set(sample.pid, incarnation);
  }
  let covariance = 0;
  let variance = 0;
  let used = 0;
  let spanMs = 0;
  for (const incarnation of byPid.values()) {
    const from = Math.min(...incarnation.map((s) => s.at)) + warmupMs;
    const kept = incarnation.filter((s) => s.at >= from);
    if (kept.length < 2) continue;
    const meanAt = kept.reduce((sum, s) => sum + s.at, 0) / kept.length;
    const meanRss = kept.reduce((sum, s) => sum + s.rssBytes, 0) / kept.length;
    for (const s of kept) {
      covariance += (s.at - meanAt) * (s.rssBytes - meanRss);
      variance += (s.at - meanAt) ** 2;
    }
    used += kept.length;
    spanMs += Math.max(...kept.map((s) => s.at)) - Math.min(...kept.map((s) => s.at));
  }
  return {
    mibPerHour: variance === 0 ? null : (covariance / variance) * MIB_PER_HOUR,
    samples: used,
    incarnations: byPid.size,
    spanMs,
  };
}
