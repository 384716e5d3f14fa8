import type { NumberRecord } from "../../kafka/records.ts";
import { MAX_CURSOR_PRODUCERS, type Cursor } from "./cursor.ts";

/**
 * Why the view held a record out rather than serve it (a record nobody acknowledged producing
 * must not reach the clients' ledgers):
 * - `far-ahead`: its seq is more than a window above its producer's highest one. A producer never
 *   skips a number, so it was not written by that producer, and served it would make every
 *   client count the numbers in between as missing, and move their cursors past everything the
 *   real producer writes next.
 * - `unknown-producer`: the first record of a producer the view does not hold yet, more than a
 *   window above 0, in a partition that still holds everything written to it: a producer starts
 *   at 1, so no producer begins there.
 * - `too-many-producers`: a new producer beyond MAX_VIEW_PRODUCERS; more could not fit in a
 *   client's cursor.
 */
export type HeldOutReason = "far-ahead" | "unknown-producer" | "too-many-producers";

/** The most producers a view serves: what a client's cursor can carry. */
export const MAX_VIEW_PRODUCERS = MAX_CURSOR_PRODUCERS;

/**
 * What `add` did with a record: stored it, found it already held (a duplicate in Kafka), dropped
 * it because its seq is at or below one the window already trimmed away, or held it out.
 */
export type AddResult = "added" | "duplicate" | "expired" | HeldOutReason;

/** Where a record came from, as far as the view's plausibility checks need it. */
export interface RecordOrigin {
  /**
   * Its partition no longer starts at offset 0 (retention deleted records): a producer's first
   * record there need not be anywhere near its first number.
   */
  readonly partitionTruncated: boolean;
}

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
  /** `origin` unset: a partition that still holds everything written to it. */
  add(record: NumberRecord, origin?: RecordOrigin): AddResult;
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
  /**
   * Records kept per producer; the oldest are dropped beyond it. Also how far above a producer's
   * highest seq a record may be and still be served (see HeldOutReason).
   */
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

  /** The producer's window, a new one if the record may start it, else why it is held out. */
  function windowFor(record: NumberRecord, origin: RecordOrigin): ProducerWindow | HeldOutReason {
    const existing = windows.get(record.producer);
    if (existing !== undefined) {
      const head = existing.records.at(-1)?.seq ?? 0;
      return record.seq - head > options.window ? "far-ahead" : existing;
    }
    if (producers.length >= MAX_VIEW_PRODUCERS) return "too-many-producers";
    if (!origin.partitionTruncated && record.seq > options.window) return "unknown-producer";
    const created: ProducerWindow = { records: [], start: 0, floor: 0 };
    windows.set(record.producer, created);
    producers.splice(lowerBoundString(producers, record.producer), 0, record.producer);
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
    add(record, origin = { partitionTruncated: false }) {
      const w = windowFor(record, origin);
      if (typeof w === "string") return w;
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
