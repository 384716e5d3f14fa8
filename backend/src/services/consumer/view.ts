import type { NumberRecord } from "../../kafka/records.ts";
import type { Cursor } from "./cursor.ts";

/**
 * What `add` did with a record: stored it, found it already held (a duplicate in Kafka), or
 * dropped it because its seq is at or below one the window already trimmed away.
 */
export type AddResult = "added" | "duplicate" | "expired";

export interface RecordsAfter {
  /** Ordered by producer, then seq. */
  records: NumberRecord[];
  /** More records after the cursor than the limit allowed. */
  truncated: boolean;
  /**
   * Per producer whose cursor is below the window: the highest seq the window no longer holds.
   * The client fell behind the view (overload, a long pause), not a failover: seqs between its
   * cursor and this were in the view and trimmed before it asked. Empty when no one is behind.
   */
  behind: Record<string, number>;
}

export interface View {
  add(record: NumberRecord): AddResult;
  /** Per producer, the highest seq held (producers in id order). */
  heads(): Record<string, number>;
  /** Per producer, how many records the window holds. */
  sizes(): Record<string, number>;
  /**
   * The records with a seq above the cursor's for each producer; a producer missing from the
   * cursor starts at the beginning of its window. At most `limit` records.
   */
  after(cursor: Cursor, limit: number): RecordsAfter;
  /** Resolves when the next record is added (a duplicate or an expired one is not). */
  nextAdd(): Promise<void>;
}

export interface ViewOptions {
  /** Records kept per producer; the oldest are dropped beyond it. */
  window: number;
}

/**
 * One producer's records ordered by seq. Trimming advances `start` instead of shifting the array,
 * and the dead prefix is cut away only once it is as long as the window, so that appending and
 * trimming cost O(1) amortised with 100 000 records per producer.
 */
interface ProducerWindow {
  records: NumberRecord[];
  start: number;
  /** The highest seq trimmed away; 0 while nothing was. */
  floor: number;
}

/**
 * The consumer's view (DESIGN §1): per producer the ordered window of the last `window` records,
 * held once per (producer, seq) however often Kafka holds them.
 */
export function createView(options: ViewOptions): View {
  if (!Number.isSafeInteger(options.window) || options.window < 1) {
    throw new Error(`view window must be a whole number greater than 0, got ${options.window}`);
  }
  const windows = new Map<string, ProducerWindow>();
  // Kept sorted as producers appear, so that a poll does not sort on every request.
  const producers: string[] = [];
  // One promise shared by every waiting long-poll, replaced once it resolved.
  let added: { promise: Promise<void>; resolve: () => void } | undefined;

  function windowOf(producer: string): ProducerWindow {
    const existing = windows.get(producer);
    if (existing !== undefined) return existing;
    const created: ProducerWindow = { records: [], start: 0, floor: 0 };
    windows.set(producer, created);
    producers.splice(lowerBoundString(producers, producer), 0, producer);
    return created;
  }

  function trim(w: ProducerWindow): void {
    while (w.records.length - w.start > options.window) {
      const oldest = w.records[w.start];
      if (oldest !== undefined) w.floor = oldest.seq;
      w.start += 1;
    }
    if (w.start >= options.window) {
      w.records.splice(0, w.start);
      w.start = 0;
    }
  }

  return {
    add(record) {
      const w = windowOf(record.producer);
      if (record.seq <= w.floor) return "expired";
      const last = w.records.at(-1);
      if (last === undefined || record.seq > last.seq) {
        w.records.push(record);
      } else {
        const index = lowerBoundSeq(w, record.seq);
        if (w.records[index]?.seq === record.seq) return "duplicate";
        // Out of order within a producer is rare (all of its records share one partition), so
        // the O(n) insert is paid seldom.
        w.records.splice(index, 0, record);
      }
      trim(w);
      added?.resolve();
      added = undefined;
      return "added";
    },

    nextAdd() {
      if (added === undefined) {
        let resolve = (): void => undefined;
        const promise = new Promise<void>((done) => (resolve = done));
        added = { promise, resolve };
      }
      return added.promise;
    },

    heads() {
      const heads: Record<string, number> = {};
      for (const producer of producers) {
        const last = windows.get(producer)?.records.at(-1);
        if (last !== undefined) heads[producer] = last.seq;
      }
      return heads;
    },

    sizes() {
      const sizes: Record<string, number> = {};
      for (const producer of producers) {
        const w = windows.get(producer);
        if (w !== undefined) sizes[producer] = w.records.length - w.start;
      }
      return sizes;
    },

    after(cursor, limit) {
      const records: NumberRecord[] = [];
      const behind: Record<string, number> = {};
      for (const producer of producers) {
        const w = windows.get(producer);
        if (w === undefined) continue;
        const from = cursor.get(producer);
        if (from !== undefined && from < w.floor) behind[producer] = w.floor;
        let index = from === undefined ? w.start : lowerBoundSeq(w, from + 1);
        while (index < w.records.length) {
          const record = w.records[index];
          if (record === undefined) break;
          if (records.length === limit) return { records, truncated: true, behind };
          records.push(record);
          index += 1;
        }
      }
      return { records, truncated: false, behind };
    },
  };
}

/** The index of the first record in the window whose seq is at least `seq`. */
function lowerBoundSeq(w: ProducerWindow, seq: number): number {
  let low = w.start;
  let high = w.records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((w.records[middle]?.seq ?? Infinity) < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function lowerBoundString(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? "") < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
