// How fast a service's memory grows over a long run, when a fault restarts it now and then.

/** One reading of a process's memory: resident, or what a full collection left alive. */
export interface MemorySample {
  /** ms epoch. */
  readonly at: number;
  /** The incarnation: a restart makes a new process, and its memory starts over. */
  readonly pid: number;
  readonly bytes: number;
}

export interface MemorySlopeOptions {
  /** Left out at the start of each incarnation (from its first sample). */
  readonly warmupMs: number;
  /** An incarnation whose samples past warm-up span less than this is left out of the fit. */
  readonly minLifeMs: number;
}

export interface MemorySlope {
  /** The least-squares slope in MiB per hour; null when no incarnation was fitted. */
  readonly mibPerHour: number | null;
  /** Samples the fit used. */
  readonly samples: number;
  readonly incarnations: number;
  /** Incarnations that lived long enough past warm-up to be fitted. */
  readonly fitted: number;
  /** How long the fitted samples span, added up over the fitted incarnations (ms). */
  readonly spanMs: number;
  /** The longest any incarnation lived past its warm-up (ms), fitted or not. */
  readonly longestMs: number;
}

const MIB_PER_HOUR = (60 * 60 * 1000) / 2 ** 20;

/**
 * One slope for a service across its incarnations: the least-squares fit of memory against time
 * with an intercept of each incarnation's own (pooled within-incarnation regression). A restart
 * that drops memory back to its start is then no decline, and a fresh process climbing to its
 * working set no leak: the first `warmupMs` of each incarnation are left out, since a process
 * that was just started, or a lab that just came up, is still filling its caches, JIT and heap.
 * A life shorter than `minLifeMs` past that is left out too: over a few minutes one turn of the
 * garbage collector's sawtooth weighs more than any trend (a 30-minute soak's fault targets fitted
 * over lives of 0.4 to 16 minutes gave −4 700 to +1 200 MiB/h).
 */
export function memorySlope(
  samples: readonly MemorySample[],
  options: MemorySlopeOptions,
): MemorySlope {
  const byPid = new Map<number, MemorySample[]>();
  for (const sample of samples) {
    const incarnation = byPid.get(sample.pid) ?? [];
    incarnation.push(sample);
    byPid.set(sample.pid, incarnation);
  }
  let covariance = 0;
  let variance = 0;
  let used = 0;
  let fitted = 0;
  let spanMs = 0;
  let longestMs = 0;
  for (const incarnation of byPid.values()) {
    const from = Math.min(...incarnation.map((s) => s.at)) + options.warmupMs;
    const kept = incarnation.filter((s) => s.at >= from);
    if (kept.length < 2) continue;
    const span = Math.max(...kept.map((s) => s.at)) - Math.min(...kept.map((s) => s.at));
    longestMs = Math.max(longestMs, span);
    if (span < options.minLifeMs) continue;
    const meanAt = kept.reduce((sum, s) => sum + s.at, 0) / kept.length;
    const meanBytes = kept.reduce((sum, s) => sum + s.bytes, 0) / kept.length;
    for (const s of kept) {
      covariance += (s.at - meanAt) * (s.bytes - meanBytes);
      variance += (s.at - meanAt) ** 2;
    }
    used += kept.length;
    fitted += 1;
    spanMs += span;
  }
  return {
    mibPerHour: variance === 0 ? null : (covariance / variance) * MIB_PER_HOUR,
    samples: used,
    incarnations: byPid.size,
    fitted,
    spanMs,
    longestMs,
  };
}
