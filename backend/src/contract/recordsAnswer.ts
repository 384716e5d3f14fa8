/**
 * One record as a client receives it. Structurally the same as the Kafka value in
 * `kafka/records.ts`, declared again here because the ledger is bundled into the browser page and
 * must not pull in zod or Node.
 */
export interface LedgerRecord {
  readonly producer: string;
  readonly seq: number;
  /** When the producer created the record, ms since the epoch. */
  readonly ts: number;
}

/**
 * The longest `GET /api/records?…&wait=ms` may hold an answer (a long-poll): below the gateway's
 * PROXY_TIMEOUT_MS default of 5 s, so that a held answer is never cut as a proxy timeout.
 */
export const MAX_WAIT_MS = 4000;

/** A consumer's answer to `GET /api/records?cursor=…` (DESIGN §1). */
export interface RecordsAnswer {
  /** The identity of the consumer that answered. */
  readonly consumer: string;
  /** Records after the client's cursor, ordered by producer, then seq. */
  readonly records: readonly LedgerRecord[];
  /** Where the next poll starts; opaque to the client. */
  readonly cursor: string;
  /** The answering consumer's highest seq per producer: what its view holds. */
  readonly heads: Readonly<Record<string, number>>;
  /** More records were due than one answer carries; the rest come with the next poll. */
  readonly truncated: boolean;
  readonly ready: boolean;
  /**
   * Per producer whose cursor fell below the consumer's view window: the highest seq the window
   * no longer holds. The client fell behind (overload, a long pause): what it skipped counts as
   * `fellBehind`, not `missing`. Absent when the client is not behind.
   */
  readonly behind?: Readonly<Record<string, number>>;
}

/**
 * The answer in a parsed JSON body, or an error naming the first field that is wrong. Shared by the
 * page and the simulated fleet so that both reject the same answers (a bad answer is a failed poll).
 */
export function parseRecordsAnswer(body: unknown): RecordsAnswer {
  if (!isObject(body)) throw new Error("records answer: expected a JSON object");
  const consumer = body["consumer"];
  if (typeof consumer !== "string") throw new Error("records answer: consumer must be a string");
  const cursor = body["cursor"];
  if (typeof cursor !== "string") throw new Error("records answer: cursor must be a string");
  const truncated = body["truncated"];
  if (typeof truncated !== "boolean") {
    throw new Error("records answer: truncated must be a boolean");
  }
  const ready = body["ready"];
  if (typeof ready !== "boolean") throw new Error("records answer: ready must be a boolean");
  const rawHeads = body["heads"];
  if (!isObject(rawHeads)) throw new Error("records answer: heads must be an object");
  const heads: Record<string, number> = {};
  for (const [producer, head] of Object.entries(rawHeads)) {
    if (!isSeq(head, 0)) {
      throw new Error(`records answer: heads.${producer} must be a whole number ≥ 0`);
    }
    heads[producer] = head;
  }
  const rawBehind = body["behind"];
  let behind: Record<string, number> | undefined;
  if (rawBehind !== undefined) {
    if (!isObject(rawBehind)) throw new Error("records answer: behind must be an object");
    behind = {};
    for (const [producer, floor] of Object.entries(rawBehind)) {
      if (!isSeq(floor, 1)) {
        throw new Error(`records answer: behind.${producer} must be a whole number ≥ 1`);
      }
      behind[producer] = floor;
    }
  }
  const rawRecords = body["records"];
  if (!Array.isArray(rawRecords)) throw new Error("records answer: records must be an array");
  const records = rawRecords.map((record: unknown, index): LedgerRecord => {
    if (!isObject(record)) throw new Error(`records answer: records[${index}] must be an object`);
    const { producer, seq, ts } = record;
    if (typeof producer !== "string" || producer === "") {
      throw new Error(`records answer: records[${index}].producer must be a non-empty string`);
    }
    if (!isSeq(seq, 1)) {
      throw new Error(`records answer: records[${index}].seq must be a whole number ≥ 1`);
    }
    if (typeof ts !== "number" || !Number.isFinite(ts)) {
      throw new Error(`records answer: records[${index}].ts must be a number`);
    }
    return { producer, seq, ts };
  });
  return {
    consumer,
    records,
    cursor,
    heads,
    truncated,
    ready,
    ...(behind === undefined ? {} : { behind }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}
