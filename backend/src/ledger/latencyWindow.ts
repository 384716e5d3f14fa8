/** Latencies in whole ms. */
export interface LatencySummary {
  /** How many records the summary stands for. */
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyWindowOptions {
  /** Samples older than this (relative to the newest) are dropped. */
  readonly windowMs: number;
  /** Hard cap on samples held, whatever the record rate. */
  readonly maxSamples: number;
  /** A poll that brings more records than this is stored as this many weighted samples. */
  readonly samplesPerPoll: number;
}

export interface LatencyWindow {
  /** The end-to-end latencies of one poll's fresh records, received at `at`. */
  add(at: number, latencies: readonly number[]): void;
  /** Percentiles over the records received in the last `windowMs` before `now`; cheap. */
  recent(now: number): LatencySummary | undefined;
  /** Percentiles over the records received in [from, to); costs a sort. */
  between(from: number, to: number): LatencySummary | undefined;
  /** Samples held now; never more than `maxSamples`. */
  readonly size: number;
}

/**
 * Recent end-to-end latencies in bounded memory, cheap to summarise for a fleet of 1 000 clients
 * polling twice a second. A large poll is stored as a few samples at evenly spaced ranks (its
 * maximum always among them), each weighted by the records it stands for: the percentiles still
 * weigh a backlog of 500 late records as 500 records, not as one poll. Storage is typed arrays
 * that grow on demand up to `maxSamples`, then wrap around.
 *
 * Each sample is one number: the latency in whole ms, offset to be positive, in the high bits, and
 * its weight (records × `samplesPerPoll`) in the low bits. Equal numbers are interchangeable, so
 * besides the ring in arrival order the window keeps the same numbers sorted, inserting and
 * removing by binary search: `recent` is one pass instead of a sort per call (a sort of 2 000
 * samples takes about 0.2 ms, too much for 1 000 clients summarised every second).
 */
export function createLatencyWindow(options: LatencyWindowOptions): LatencyWindow {
  const { windowMs, maxSamples, samplesPerPoll } = options;
  let capacity = Math.min(256, maxSamples);
  let times = new Float64Array(capacity);
  let keys = new Float64Array(capacity);
  let sorted = new Float64Array(capacity);
  let start = 0;
  let size = 0;
  let totalUnits = 0;

  function grow(): void {
    const next = Math.min(capacity * 2, maxSamples);
    const nextTimes = new Float64Array(next);
    const nextKeys = new Float64Array(next);
    for (let i = 0; i < size; i += 1) {
      const from = (start + i) % capacity;
      nextTimes[i] = times[from] ?? 0;
      nextKeys[i] = keys[from] ?? 0;
    }
    const nextSorted = new Float64Array(next);
    nextSorted.set(sorted.subarray(0, size));
    times = nextTimes;
    keys = nextKeys;
    sorted = nextSorted;
    capacity = next;
    start = 0;
  }

  /** The first index in `sorted` whose key is above `key` (or at least `key` when `inclusive`). */
  function search(key: number, inclusive: boolean): number {
    let low = 0;
    let high = size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const value = sorted[middle] ?? 0;
      if (value < key || (!inclusive && value === key)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  function dropOldest(): void {
    const key = keys[start] ?? 0;
    const index = search(key, true);
    sorted.copyWithin(index, index + 1, size);
    totalUnits -= weightOf(key);
    start = (start + 1) % capacity;
    size -= 1;
  }

  function evictBefore(time: number): void {
    while (size > 0 && (times[start] ?? time) < time) dropOldest();
  }

  function push(at: number, latency: number, weightUnits: number): void {
    if (size === capacity) {
      if (capacity < maxSamples) grow();
      else dropOldest();
    }
    const key = encode(latency, weightUnits);
    const slot = (start + size) % capacity;
    times[slot] = at;
    keys[slot] = key;
    const index = search(key, false);
    sorted.copyWithin(index + 1, index, size);
    sorted[index] = key;
    totalUnits += weightOf(key);
    size += 1;
  }

  return {
    get size() {
      return size;
    },
    add(at, batch) {
      evictBefore(at - windowMs);
      if (batch.length <= samplesPerPoll) {
        for (const latency of batch) push(at, latency, samplesPerPoll);
        return;
      }
      const ranked = Float64Array.from(batch).sort();
      for (let i = 1; i <= samplesPerPoll; i += 1) {
        push(at, ranked[Math.ceil((i * ranked.length) / samplesPerPoll) - 1] ?? 0, ranked.length);
      }
    },
    recent(now) {
      evictBefore(now - windowMs);
      return summarize(sorted.subarray(0, size), totalUnits, samplesPerPoll);
    },
    between(from, to) {
      const picked: number[] = [];
      for (let i = 0; i < size; i += 1) {
        const slot = (start + i) % capacity;
        const at = times[slot] ?? 0;
        if (at >= from && at < to) picked.push(keys[slot] ?? 0);
      }
      let units = 0;
      for (const key of picked) units += weightOf(key);
      return summarize(Float64Array.from(picked).sort(), units, samplesPerPoll);
    },
  };
}

/** Weights (records × samplesPerPoll) below this fit a sample's low bits. */
const WEIGHT_RANGE = 2 ** 21;
/** Latencies from −LATENCY_OFFSET to LATENCY_OFFSET ms (12 days) are kept exactly. */
const LATENCY_OFFSET = 2 ** 30;

function encode(latency: number, weightUnits: number): number {
  const ms = Math.min(LATENCY_OFFSET - 1, Math.max(-LATENCY_OFFSET, Math.round(latency)));
  return (ms + LATENCY_OFFSET) * WEIGHT_RANGE + Math.min(WEIGHT_RANGE - 1, weightUnits);
}

function latencyOf(key: number): number {
  return Math.floor(key / WEIGHT_RANGE) - LATENCY_OFFSET;
}

// Exact, since WEIGHT_RANGE is a power of two.
function weightOf(key: number): number {
  return key - Math.floor(key / WEIGHT_RANGE) * WEIGHT_RANGE;
}

/**
 * Nearest-rank percentiles on cumulative weight over samples sorted ascending, whose weights add up
 * to `totalUnits`. In whole numbers, so the ranks are exact: p50 is the first sample where the
 * weight so far reaches half, p99 the first where it reaches 99 % — found from the top, where
 * only 1 % of the weight lies.
 */
function summarize(
  ascending: Float64Array,
  totalUnits: number,
  samplesPerPoll: number,
): LatencySummary | undefined {
  const last = ascending.length - 1;
  const top = ascending[last];
  if (top === undefined) return undefined;
  let index = 0;
  let below = 0;
  for (; index < last; index += 1) {
    below += weightOf(ascending[index] ?? 0);
    if (2 * below >= totalUnits) break;
  }
  const p50 = latencyOf(ascending[index] ?? top);
  let above = 0;
  index = last;
  for (; index > 0; index -= 1) {
    const next = above + weightOf(ascending[index] ?? 0);
    if (100 * next > totalUnits) break;
    above = next;
  }
  return {
    count: Math.round(totalUnits / samplesPerPoll),
    p50,
    p99: latencyOf(ascending[index] ?? top),
    max: latencyOf(top),
  };
}
