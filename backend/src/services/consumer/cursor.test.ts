import { describe, expect, it } from "vitest";
import { CursorError, formatCursor, parseCursor } from "./cursor.ts";

function cursorError(raw: string): string {
  try {
    parseCursor(raw);
  } catch (error) {
    if (error instanceof CursorError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("parseCursor", () => {
  it("reads producer:seq pairs", () => {
    expect(parseCursor("producer-0:41,producer-1:40")).toEqual(
      new Map([
        ["producer-0", 41],
        ["producer-1", 40],
      ]),
    );
    expect(parseCursor("A.b_c-9:0")).toEqual(new Map([["A.b_c-9", 0]]));
  });

  it("reads an empty cursor as undefined: the client starts from now", () => {
    expect(parseCursor("")).toBeUndefined();
  });

  it("takes up to 1000 pairs and 16 KB", () => {
    const pairs = Array.from({ length: 1000 }, (_, i) => `p${i}:${i}`);
    expect(parseCursor(pairs.join(","))?.size).toBe(1000);
    const longId = "x".repeat(64);
    expect(parseCursor(`${longId}:9007199254740991`)?.get(longId)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    ["producer-0:abc", 'cursor: "producer-0:abc" has a seq that is not a whole number'],
    ["producer-0:-1", 'cursor: "producer-0:-1" has a seq that is not a whole number'],
    ["producer-0:1.5", 'cursor: "producer-0:1.5" has a seq that is not a whole number'],
    ["producer-0:", 'cursor: "producer-0:" has a seq that is not a whole number'],
    [
      "producer-0:9007199254740992",
      'cursor: "producer-0:9007199254740992" has a seq larger than 9007199254740991, the largest allowed',
    ],
    ["producer-0", 'cursor: "producer-0" is not a producer:seq pair'],
    ["a:1:2", 'cursor: "a:1:2" is not a producer:seq pair'],
    [":4", 'cursor: ":4" has a producer id that is not 1-64 letters, digits, ".", "_" or "-"'],
    [
      "pro ducer:4",
      'cursor: "pro ducer:4" has a producer id that is not 1-64 letters, digits, ".", "_" or "-"',
    ],
    [
      `${"x".repeat(65)}:1`,
      `cursor: "${"x".repeat(65)}:1" has a producer id that is not 1-64 letters, digits, ".", "_" or "-"`,
    ],
    ["a:1,,b:2", "cursor: pair 2 is empty (a doubled, leading or trailing comma)"],
    ["a:1,", "cursor: pair 2 is empty (a doubled, leading or trailing comma)"],
    ["a:1,b:2,a:3", 'cursor: producer "a" appears more than once'],
    [
      'a"b:1',
      'cursor: "a\\"b:1" has a producer id that is not 1-64 letters, digits, ".", "_" or "-"',
    ],
  ])("rejects %j: %s", (raw, message) => {
    expect(cursorError(raw)).toBe(message);
  });

  it("rejects more than 1000 pairs and more than 16 KB", () => {
    const pairs = Array.from({ length: 1001 }, (_, i) => `p${i}:${i}`).join(",");
    expect(cursorError(pairs)).toBe(
      "cursor: has 1001 producer:seq pairs, at most 1000 are allowed",
    );
    const long = `a:${"1".repeat(16 * 1024)}`;
    expect(cursorError(long)).toBe(
      `cursor: is ${long.length} characters long, at most 16384 are allowed`,
    );
  });
});

describe("formatCursor", () => {
  it("writes pairs in producer order, the way parseCursor reads them", () => {
    const cursor = new Map([
      ["producer-1", 40],
      ["producer-0", 41],
    ]);
    const text = formatCursor(cursor);
    expect(text).toBe("producer-0:41,producer-1:40");
    expect(parseCursor(text)).toEqual(cursor);
    expect(formatCursor(new Map())).toBe("");
  });
});
