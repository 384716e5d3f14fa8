import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { httpStatusOf } from "../../lib/errors.ts";
import { hostileString, PROPERTY_RUNS } from "../../lib/httpProperties.fixture.ts";
import {
  CursorError,
  formatCursor,
  MAX_CURSOR_LENGTH,
  MAX_CURSOR_PAIRS,
  parseCursor,
  type Cursor,
} from "./cursor.ts";

const producerId = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);
const seq = fc.oneof(
  fc.nat({ max: 1000 }),
  fc.constantFrom(0, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

const validCursor: fc.Arbitrary<Cursor> = fc
  .uniqueArray(fc.tuple(producerId, seq), {
    minLength: 1,
    maxLength: 50,
    selector: ([producer]) => producer,
  })
  .map((pairs) => new Map(pairs));

/**
 * Strings a client may send as a cursor: anything at all, text from a cursor's own alphabet
 * (so that most of it nearly parses), valid cursors with a change, and ones past the limits.
 */
const anyCursorText: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.string({ unit: fc.constantFrom(..."pP0129:,.-_+e x"), maxLength: 60 }),
  fc
    .tuple(validCursor, fc.nat(), fc.string({ unit: "binary", maxLength: 3 }))
    .map(([cursor, at, inserted]) => {
      const text = formatCursor(cursor);
      const index = at % (text.length + 1);
      return text.slice(0, index) + inserted + text.slice(index + 1);
    }),
  fc
    .integer({ min: MAX_CURSOR_LENGTH - 8, max: MAX_CURSOR_LENGTH + 8 })
    .map((length) => `p:${"1".repeat(length)}`.slice(0, length)),
  fc
    .integer({ min: MAX_CURSOR_PAIRS - 1, max: MAX_CURSOR_PAIRS + 1 })
    .map((pairs) => Array.from({ length: pairs }, (_, i) => `p${i}:${i}`).join(",")),
);

describe("the cursor codec, under random input", () => {
  it("reads back every cursor it writes", () => {
    fc.assert(
      fc.property(validCursor, (cursor) => {
        expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it("reads any string as a valid cursor or refuses it with a 400 that says what is wrong", () => {
    fc.assert(
      fc.property(anyCursorText, (text) => {
        let cursor: Cursor | undefined;
        try {
          cursor = parseCursor(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CursorError);
          expect(httpStatusOf(error)).toBe(400);
          expect((error as CursorError).message).toMatch(/^cursor: \S/);
          return;
        }
        if (cursor === undefined) {
          expect(text).toBe("");
          return;
        }
        expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
        expect(cursor.size).toBeLessThanOrEqual(MAX_CURSOR_PAIRS);
        for (const [producer, value] of cursor) {
          expect(producer).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
          expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
        }
        // What it read is what it writes: the same positions, spelled the one canonical way.
        expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
      }),
      { numRuns: PROPERTY_RUNS * 4 },
    );
  });
});
