import { MAX_PRODUCER_ID_LENGTH, PRODUCER_ID } from "../../kafka/records.ts";
import { InvalidInputError } from "../../lib/errors.ts";

/** A client's position: per producer, the highest seq it already has. */
export type Cursor = ReadonlyMap<string, number>;

/** Bounds that keep a cursor cheap to parse whatever a client sends. */
export const MAX_CURSOR_LENGTH = 16 * 1024;
export const MAX_CURSOR_PAIRS = 1000;

/**
 * The most producers a cursor can always carry: pairs of the longest id and the largest seq, with
 * their commas, within MAX_CURSOR_LENGTH (199). A view holding more would hand its clients a
 * cursor that it refuses on their next poll.
 */
export const MAX_CURSOR_PRODUCERS = Math.min(
  MAX_CURSOR_PAIRS,
  Math.floor(
    (MAX_CURSOR_LENGTH + 1) /
      (MAX_PRODUCER_ID_LENGTH + ":".length + String(Number.MAX_SAFE_INTEGER).length + ",".length),
  ),
);
const wholeNumber = /^\d+$/;

/** A malformed cursor; the message says exactly what is wrong, for a 400. */
export class CursorError extends InvalidInputError {
  override readonly name = "CursorError";
}

/**
 * Reads the `cursor` query parameter: comma separated `producer:seq` pairs such as
 * `producer-0:41,producer-1:40`. An empty cursor is undefined: the client starts from now.
 */
export function parseCursor(raw: string): Cursor | undefined {
  if (raw === "") return undefined;
  if (raw.length > MAX_CURSOR_LENGTH) {
    throw new CursorError(
      `cursor: is ${raw.length} characters long, at most ${MAX_CURSOR_LENGTH} are allowed`,
    );
  }
  const pairs = raw.split(",");
  if (pairs.length > MAX_CURSOR_PAIRS) {
    throw new CursorError(
      `cursor: has ${pairs.length} producer:seq pairs, at most ${MAX_CURSOR_PAIRS} are allowed`,
    );
  }
  const cursor = new Map<string, number>();
  pairs.forEach((pair, index) => {
    if (pair === "") {
      throw new CursorError(
        `cursor: pair ${index + 1} is empty (a doubled, leading or trailing comma)`,
      );
    }
    const quoted = JSON.stringify(pair);
    const parts = pair.split(":");
    const [producer = "", seqText = ""] = parts;
    if (parts.length !== 2) throw new CursorError(`cursor: ${quoted} is not a producer:seq pair`);
    if (!PRODUCER_ID.test(producer)) {
      throw new CursorError(
        `cursor: ${quoted} has a producer id that is not 1-64 letters, digits, ".", "_" or "-"`,
      );
    }
    if (!wholeNumber.test(seqText)) {
      throw new CursorError(`cursor: ${quoted} has a seq that is not a whole number`);
    }
    const seq = Number(seqText);
    if (!Number.isSafeInteger(seq)) {
      throw new CursorError(
        `cursor: ${quoted} has a seq larger than ${Number.MAX_SAFE_INTEGER}, the largest allowed`,
      );
    }
    if (cursor.has(producer)) {
      throw new CursorError(`cursor: producer "${producer}" appears more than once`);
    }
    cursor.set(producer, seq);
  });
  return cursor;
}

/** The cursor as the query parameter spells it, producers in id order. */
export function formatCursor(cursor: Cursor): string {
  return [...cursor]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([producer, seq]) => `${producer}:${seq}`)
    .join(",");
}
