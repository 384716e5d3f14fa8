import type { LedgerRecord } from "../../../contract/recordsAnswer.ts";

export interface NumberStrips {
  add(records: readonly LedgerRecord[]): void;
  /** The producer's newest numbers in arrival order, at most `length`. */
  numbers(producer: string): readonly number[];
}

/** The last few numbers per producer that the page shows as a strip. */
export function createNumberStrips(length: number): NumberStrips {
  const strips = new Map<string, number[]>();
  return {
    add(records) {
      for (const { producer, seq } of records) {
        let strip = strips.get(producer);
        if (strip === undefined) {
          strip = [];
          strips.set(producer, strip);
        }
        strip.push(seq);
        if (strip.length > length) strip.splice(0, strip.length - length);
      }
    },
    numbers(producer) {
      return strips.get(producer) ?? [];
    },
  };
}
