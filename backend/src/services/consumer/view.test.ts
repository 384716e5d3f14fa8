import { describe, expect, it } from "vitest";
import type { NumberRecord } from "../../kafka/records.ts";
import { formatCursor, parseCursor } from "./cursor.ts";
import { MAX_VIEW_PRODUCERS, createView } from "./view.ts";

const everything = new Map<string, number>();

function record(producer: string, seq: number, ts = 1000 + seq): NumberRecord {
  return { producer, seq, ts };
}

function seqsOf(records: readonly NumberRecord[], producer: string): number[] {
  return records.filter((r) => r.producer === producer).map((r) => r.seq);
}

describe("createView", () => {
  it("holds each (producer, seq) once and reports a duplicate without storing it", () => {
    const view = createView({ window: 10 });
    expect(view.add(record("producer-0", 1))).toBe("added");
    expect(view.add(record("producer-0", 2))).toBe("added");
    expect(view.add(record("producer-0", 2, 9999))).toBe("duplicate");
    expect(view.add(record("producer-0", 1))).toBe("duplicate");
    expect(view.add(record("producer-1", 1))).toBe("added");
    const { records } = view.after(everything, 100);
    expect(records).toEqual([
      record("producer-0", 1),
      record("producer-0", 2),
      record("producer-1", 1),
    ]);
    expect(view.sizes()).toEqual({ "producer-0": 2, "producer-1": 1 });
  });

  it("inserts a record that arrives out of order in seq order", () => {
    const view = createView({ window: 10 });
    for (const seq of [3, 1, 5, 2, 4]) expect(view.add(record("p", seq))).toBe("added");
    expect(view.add(record("p", 4))).toBe("duplicate");
    expect(seqsOf(view.after(everything, 100).records, "p")).toEqual([1, 2, 3, 4, 5]);
    expect(view.heads()).toEqual({ p: 5 });
  });

  it("keeps the last `window` records per producer and refuses what it already trimmed", () => {
    const view = createView({ window: 3 });
    for (let seq = 1; seq <= 5; seq += 1) view.add(record("a", seq));
    view.add(record("b", 1));
    const { records } = view.after(everything, 100);
    expect(seqsOf(records, "a")).toEqual([3, 4, 5]);
    expect(seqsOf(records, "b")).toEqual([1]);
    expect(view.add(record("a", 2))).toBe("expired");
    expect(view.add(record("a", 1))).toBe("expired");
    expect(view.sizes()).toEqual({ a: 3, b: 1 });
    // An out-of-order record inside the window pushes the oldest out.
    view.add(record("a", 7));
    expect(view.add(record("a", 6))).toBe("added");
    expect(seqsOf(view.after(everything, 100).records, "a")).toEqual([5, 6, 7]);
  });

  it("reports the highest seq per producer as heads, producers in id order", () => {
    const view = createView({ window: 10 });
    expect(view.heads()).toEqual({});
    view.add(record("producer-1", 7));
    view.add(record("producer-0", 3));
    view.add(record("producer-1", 2));
    expect(Object.entries(view.heads())).toEqual([
      ["producer-0", 3],
      ["producer-1", 7],
    ]);
  });

  it("answers the records after a cursor, by producer then seq, a missing producer from its window start", () => {
    const view = createView({ window: 100 });
    for (let seq = 1; seq <= 5; seq += 1) {
      view.add(record("producer-1", seq));
      view.add(record("producer-0", seq));
      view.add(record("producer-2", seq));
    }
    const { records, truncated } = view.after(
      new Map([
        ["producer-0", 3],
        ["producer-2", 5],
        ["producer-9", 1],
      ]),
      100,
    );
    expect(truncated).toBe(false);
    expect(records.map((r) => `${r.producer}:${r.seq}`)).toEqual([
      "producer-0:4",
      "producer-0:5",
      "producer-1:1",
      "producer-1:2",
      "producer-1:3",
      "producer-1:4",
      "producer-1:5",
    ]);
    // A cursor ahead of this view (another consumer was further) gets nothing for that producer.
    expect(view.after(new Map([["producer-0", 50]]), 100).records[0]?.producer).toBe("producer-1");
  });

  it("stops at the limit and says the answer was truncated only when more records remain", () => {
    const view = createView({ window: 100 });
    for (let seq = 1; seq <= 3; seq += 1) {
      view.add(record("a", seq));
      view.add(record("b", seq));
    }
    const first = view.after(new Map(), 4);
    expect(first.records.map((r) => `${r.producer}:${r.seq}`)).toEqual([
      "a:1",
      "a:2",
      "a:3",
      "b:1",
    ]);
    expect(first.truncated).toBe(true);
    expect(view.after(new Map(), 6).truncated).toBe(false);
    expect(view.after(new Map([["a", 3]]), 3)).toEqual({
      records: [record("b", 1), record("b", 2), record("b", 3)],
      truncated: false,
      behind: {},
    });
  });

  it("names the producers whose cursor fell below the window, and how far the window has moved", () => {
    const view = createView({ window: 3 });
    for (let seq = 1; seq <= 10; seq += 1) view.add(record("a", seq));
    for (let seq = 1; seq <= 2; seq += 1) view.add(record("b", seq));
    // a holds 8..10 (7 and below trimmed); a client at a:4 never saw 5..7.
    const answer = view.after(
      new Map([
        ["a", 4],
        ["b", 0],
      ]),
      100,
    );
    expect(answer.behind).toEqual({ a: 7 });
    expect(seqsOf(answer.records, "a")).toEqual([8, 9, 10]);
    // At the floor is not behind: the next record it needs is still held.
    expect(view.after(new Map([["a", 7]]), 100).behind).toEqual({});
    // A producer the cursor does not name starts at its window: not behind either.
    expect(view.after(new Map(), 100).behind).toEqual({});
    // Truncated answers still say it.
    expect(view.after(new Map([["a", 1]]), 1)).toMatchObject({ truncated: true, behind: { a: 7 } });
  });

  it("wakes long-polls at the next record added, not at a duplicate or an expired one", async () => {
    const view = createView({ window: 2 });
    for (let seq = 1; seq <= 3; seq += 1) view.add(record("a", seq));
    let woken = 0;
    void view.nextAdd().then(() => (woken += 1));
    void view.nextAdd().then(() => (woken += 1));
    view.add(record("a", 3));
    view.add(record("a", 1));
    await Promise.resolve();
    expect(woken).toBe(0);
    view.add(record("a", 4));
    await Promise.resolve();
    expect(woken).toBe(2);
  });

  it("stays fast with 100 000 records per producer", () => {
    const window = 100_000;
    const view = createView({ window });
    const producers = ["producer-0", "producer-1", "producer-2"];
    const started = performance.now();
    for (let seq = 1; seq <= window + 20_000; seq += 1) {
      for (const producer of producers) view.add(record(producer, seq));
    }
    for (let poll = 0; poll < 10_000; poll += 1) {
      const cursor = new Map(producers.map((p) => [p, 50_000 + poll] as const));
      view.after(cursor, 1000);
      view.heads();
    }
    const elapsedMs = performance.now() - started;
    expect(view.sizes()).toEqual(Object.fromEntries(producers.map((p) => [p, window])));
    expect(view.heads()).toEqual(Object.fromEntries(producers.map((p) => [p, window + 20_000])));
    const { records, truncated } = view.after(new Map([["producer-0", window + 19_998]]), 5);
    expect(records.map((r) => `${r.producer}:${r.seq}`)).toEqual([
      "producer-0:119999",
      "producer-0:120000",
      "producer-1:20001",
      "producer-1:20002",
      "producer-1:20003",
    ]);
    expect(truncated).toBe(true);
    // A sanity bound for 2 busy cores, not a benchmark: this takes well under a second here.
    expect(elapsedMs).toBeLessThan(30_000);
  });

  it("holds out a record more than a window above its producer's head, and serves the real ones after it", () => {
    const view = createView({ window: 100 });
    for (let seq = 1; seq <= 10; seq += 1) view.add(record("producer-0", seq));
    expect(view.add(record("producer-0", 10 + 1_000_000_000))).toBe("far-ahead");
    expect(view.add(record("producer-0", Number.MAX_SAFE_INTEGER))).toBe("far-ahead");
    // A loss of up to a window (Kafka losing acknowledged records) is still served as it is, so
    // that the clients count it as missing.
    expect(view.add(record("producer-0", 110))).toBe("added");
    expect(view.add(record("producer-0", 11))).toBe("added");
    expect(view.add(record("producer-0", 110))).toBe("duplicate");
    expect(view.heads()).toEqual({ "producer-0": 110 });
    expect(view.sizes()).toEqual({ "producer-0": 12 });
    const cursor = new Map([["producer-0", 10]]);
    expect(seqsOf(view.after(cursor, 1000).records, "producer-0")).toEqual([11, 110]);
  });

  it("starts a new producer only within a window of 0, unless its partition lost records to retention", () => {
    const view = createView({ window: 100 });
    expect(view.add(record("intruder", 101))).toBe("unknown-producer");
    expect(view.add(record("intruder", 1_000_000_000))).toBe("unknown-producer");
    expect(view.heads()).toEqual({});
    expect(view.add(record("late-starter", 100))).toBe("added");
    expect(view.add(record("long-runner", 5_000_000), { partitionTruncated: true })).toBe("added");
    expect(view.add(record("long-runner", 5_000_001))).toBe("added");
    expect(view.heads()).toEqual({ "late-starter": 100, "long-runner": 5_000_001 });
    // Once held out, a producer's plausible first record still starts it.
    expect(view.add(record("intruder", 1))).toBe("added");
  });

  it(`serves at most ${MAX_VIEW_PRODUCERS} producers, what a client's cursor can carry`, () => {
    const view = createView({ window: 10 });
    const id = (i: number): string => `producer-${i}`.padEnd(64, "x");
    for (let i = 0; i < MAX_VIEW_PRODUCERS; i += 1) {
      expect(view.add(record(id(i), Number.MAX_SAFE_INTEGER), { partitionTruncated: true })).toBe(
        "added",
      );
    }
    expect(view.add(record(id(MAX_VIEW_PRODUCERS), 1))).toBe("too-many-producers");
    // Producers it holds go on.
    expect(view.add(record(id(0), Number.MAX_SAFE_INTEGER - 1))).toBe("added");
    expect(Object.keys(view.heads())).toHaveLength(MAX_VIEW_PRODUCERS);
    const cursor = formatCursor(new Map(Object.entries(view.heads())));
    expect(parseCursor(cursor)?.size).toBe(MAX_VIEW_PRODUCERS);
  });

  it("rejects a window that is not a whole number above 0", () => {
    expect(() => createView({ window: 0 })).toThrow("view window must be a whole number");
    expect(() => createView({ window: 1.5 })).toThrow("view window must be a whole number");
  });
});
