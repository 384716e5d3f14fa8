import fc from "fast-check";
import { deepJsonText, notJsonText } from "./httpProperties.fixture.ts";

/**
 * A value a fuzzed input carries, as data rather than text: fast-check prints (and shrinks) a
 * counterexample of a million bytes or a hundred thousand levels as a short description.
 */
export type Payload =
  | { readonly json: unknown }
  /** Sent as it is: malformed JSON, YAML, anything. */
  | { readonly text: string }
  /** Arrays or objects nested this many levels deep (`deepJsonText`). */
  | { readonly deep: number; readonly of: "array" | "object" }
  /** A JSON string of this many bytes in all, quotes included. */
  | { readonly huge: number };

/** The payload's text, as a client would send it. */
export function payloadText(payload: Payload): string {
  if ("json" in payload) return JSON.stringify(payload.json) ?? "null";
  if ("text" in payload) return payload.text;
  if ("huge" in payload) return `"${"x".repeat(Math.max(0, payload.huge - 2))}"`;
  return deepJsonText(payload.deep, payload.of);
}

/** The payload as JavaScript (for a socket.io client, which serialises it itself). */
export function payloadValue(payload: Payload): unknown {
  if ("json" in payload) return payload.json;
  if ("text" in payload) return payload.text;
  return JSON.parse(payloadText(payload));
}

/** Nesting from one level to `max` levels, small depths as likely as the extremes. */
export function depthArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 1, max: 100 }),
    fc.integer({ min: 100, max: Math.min(10_000, max) }),
    fc.integer({ min: Math.min(10_000, max), max }),
  );
}

/**
 * Any payload, shaped or not: JSON values (unknown fields and wrong types included), malformed
 * text, deep nesting up to `maxDepth` levels and strings of `hugeBytes` ± 1 KiB.
 */
export function payloadArb(options: {
  maxDepth: number;
  hugeBytes: number;
}): fc.Arbitrary<Payload> {
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })), weight: 4 },
    { arbitrary: notJsonText.map((text) => ({ text })), weight: 2 },
    {
      arbitrary: fc.record({
        deep: depthArb(options.maxDepth),
        of: fc.constantFrom("array" as const, "object" as const),
      }),
      weight: 1,
    },
    {
      arbitrary: fc
        .integer({ min: options.hugeBytes - 1024, max: options.hugeBytes + 1024 })
        .map((huge) => ({ huge })),
      weight: 1,
    },
  );
}
