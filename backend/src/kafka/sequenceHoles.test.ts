import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sequenceHoles } from "./sequenceHoles.ts";

const of = (producer: string, ...seqs: number[]) => seqs.map((seq) => ({ producer, seq }));

describe("sequenceHoles", () => {
  it("finds no hole in a complete sequence, records past the acknowledged one included", () => {
    const [p0] = sequenceHoles(of("producer-0", 1, 2, 3, 4, 5), new Map([["producer-0", 4]]));
    expect(p0).toEqual({
      producer: "producer-0",
      lastAcknowledged: 4,
      records: 5,
      duplicates: 0,
      holes: [],
      missing: 0,
    });
  });

  it("gives each lost stretch as one range, at the start, inside and at the end", () => {
    const [p0] = sequenceHoles(of("producer-0", 3, 4, 7, 9), new Map([["producer-0", 11]]));
    expect(p0?.holes).toEqual([
      { from: 1, to: 2 },
      { from: 5, to: 6 },
      { from: 8, to: 8 },
      { from: 10, to: 11 },
    ]);
    expect(p0?.missing).toBe(7);
  });

  it("counts the extra copies of a number as duplicates, not as holes", () => {
    const [p0] = sequenceHoles(of("producer-0", 1, 2, 2, 2, 3), new Map([["producer-0", 3]]));
    expect(p0).toMatchObject({ records: 5, duplicates: 2, holes: [], missing: 0 });
  });

  it("says a producer with acknowledged numbers and nothing in the topic lost them all", () => {
    const result = sequenceHoles(of("producer-0", 1), new Map([["producer-1", 3]]));
    expect(result).toEqual([
      expect.objectContaining({ producer: "producer-1", holes: [{ from: 1, to: 3 }], missing: 3 }),
      expect.objectContaining({ producer: "producer-0", lastAcknowledged: 0, holes: [] }),
    ]);
  });

  it("misses exactly the numbers up to the acknowledged one that were not read", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 200 })),
        fc.integer({ min: 0, max: 200 }),
        (seqs, last) => {
          const [p0] = sequenceHoles(of("p", ...seqs), new Map([["p", last]]));
          const lost = new Set<number>();
          for (const hole of p0?.holes ?? []) {
            for (let seq = hole.from; seq <= hole.to; seq++) lost.add(seq);
          }
          const expected = Array.from({ length: last }, (_, i) => i + 1).filter(
            (seq) => !seqs.includes(seq),
          );
          expect([...lost].sort((a, b) => a - b)).toEqual(expected);
          expect(p0?.missing).toBe(expected.length);
        },
      ),
    );
  });
});
