import { describe, expect, it } from "vitest";
import { createLedger } from "./ledger.ts";
import type { Ledger, LedgerOptions } from "./ledger.ts";
import type { LedgerRecord, RecordsAnswer } from "../contract/recordsAnswer.ts";

// A seeded clock: every time in these tests is an offset from START.
const START = 1_700_000_000_000;
const P0 = "producer-0";
const P1 = "producer-1";

function rec(producer: string, seq: number, ts: number): LedgerRecord {
  return { producer, seq, ts };
}

/** An answer whose heads are its own highest numbers unless given. */
function answer(
  records: LedgerRecord[],
  heads: Record<string, number> = {},
  consumer = "consumer-0",
): RecordsAnswer {
  const allHeads = { ...heads };
  for (const { producer, seq } of records) {
    allHeads[producer] = Math.max(seq, allHeads[producer] ?? 0);
  }
  return { consumer, records, cursor: "cursor", heads: allHeads, truncated: false, ready: true };
}

/** A ledger subscribed at START with producer-0 at 100 (and producer-1 at 200 if asked). */
function subscribed(
  options: Partial<LedgerOptions> = {},
  heads: Record<string, number> = { [P0]: 100 },
): Ledger {
  const ledger = createLedger({ stallMs: 1500, ...options });
  const outcome = ledger.recordAnswer(answer([], heads), START);
  expect(outcome).toEqual({ fresh: [], events: [] });
  return ledger;
}

describe("createLedger: numbers", () => {
  it("starts from the subscription's heads and takes the following numbers as fresh", () => {
    const ledger = subscribed();
    const records = [rec(P0, 101, START + 400), rec(P0, 102, START + 450)];
    expect(ledger.recordAnswer(answer(records), START + 500)).toEqual({
      fresh: records,
      events: [],
    });
    expect(ledger.snapshot(START + 500)).toMatchObject({
      polls: 2,
      freshRecords: 2,
      missing: 0,
      duplicates: 0,
      staleReads: 0,
      reordered: 0,
      lastConsumer: "consumer-0",
      producers: { [P0]: { highest: 102, received: 2, missing: 0, duplicates: 0 } },
    });
  });

  it("counts the numbers skipped over as missing and reports the gap", () => {
    const ledger = subscribed();
    const outcome = ledger.recordAnswer(
      answer([rec(P0, 101, START), rec(P0, 104, START), rec(P0, 105, START)], {}, "consumer-2"),
      START + 500,
    );
    expect(outcome.fresh.map((record) => record.seq)).toEqual([101, 104, 105]);
    expect(outcome.events).toEqual([
      { type: "gap", at: START + 500, consumer: "consumer-2", producer: P0, from: 102, to: 103 },
    ]);
    expect(ledger.snapshot(START + 500)).toMatchObject({
      missing: 2,
      producers: { [P0]: { highest: 105, missing: 2 } },
    });
  });

  it("counts what left the view before the client asked as fell-behind, not missing", () => {
    const ledger = subscribed();
    ledger.recordAnswer(answer([rec(P0, 101, START)]), START + 500);
    // The consumer's window moved past 101: it holds 151 and up, and says so.
    const outcome = ledger.recordAnswer(
      { ...answer([rec(P0, 151, START + 900), rec(P0, 152, START + 900)]), behind: { [P0]: 150 } },
      START + 1000,
    );
    expect(outcome.fresh.map((record) => record.seq)).toEqual([151, 152]);
    expect(outcome.events).toEqual([
      {
        type: "fell-behind",
        at: START + 1000,
        consumer: "consumer-0",
        producer: P0,
        from: 102,
        to: 150,
      },
    ]);
    expect(ledger.snapshot(START + 1000)).toMatchObject({
      missing: 0,
      fellBehind: 49,
      producers: { [P0]: { highest: 152, missing: 0, fellBehind: 49 } },
    });
  });

  it("takes a missing number that arrives late as fresh and reordered, no longer missing", () => {
    const ledger = subscribed();
    ledger.recordAnswer(answer([rec(P0, 101, START), rec(P0, 105, START)]), START + 500);
    const outcome = ledger.recordAnswer(
      answer([rec(P0, 102, START), rec(P0, 103, START)], { [P0]: 105 }, "consumer-1"),
      START + 1000,
    );
    expect(outcome.fresh.map((record) => record.seq)).toEqual([102, 103]);
    expect(outcome.events).toEqual([
      { type: "late", at: START + 1000, consumer: "consumer-1", producer: P0, from: 102, to: 103 },
    ]);
    expect(ledger.snapshot(START + 1000)).toMatchObject({
      missing: 1,
      reordered: 2,
      freshRecords: 4,
      producers: { [P0]: { highest: 105, received: 4, missing: 1, reordered: 2 } },
    });
  });

  it("counts a number delivered twice as a duplicate, not fresh, one event per run", () => {
    const ledger = subscribed();
    ledger.recordAnswer(answer([101, 102, 103].map((seq) => rec(P0, seq, START))), START + 500);
    const outcome = ledger.recordAnswer(
      answer([101, 102, 103, 104].map((seq) => rec(P0, seq, START))),
      START + 1000,
    );
    expect(outcome.fresh.map((record) => record.seq)).toEqual([104]);
    expect(outcome.events).toEqual([
      {
        type: "duplicate",
        at: START + 1000,
        consumer: "consumer-0",
        producer: P0,
        from: 101,
        to: 103,
      },
    ]);
    expect(ledger.snapshot(START + 1000)).toMatchObject({
      duplicates: 3,
      missing: 0,
      freshRecords: 4,
      producers: { [P0]: { received: 4, duplicates: 3 } },
    });
  });

  it("counts an answer whose head is behind the client's as one stale read naming the worst producer", () => {
    const ledger = subscribed({}, { [P0]: 100, [P1]: 200 });
    ledger.recordAnswer(answer([rec(P0, 101, START), rec(P1, 201, START)]), START + 500);
    expect(ledger.recordAnswer(answer([], { [P0]: 101, [P1]: 201 }), START + 1000).events).toEqual(
      [],
    );
    // A lagging consumer: behind on both producers, most on producer-1 (201 → 197).
    const outcome = ledger.recordAnswer(
      answer([], { [P0]: 100, [P1]: 197 }, "consumer-2"),
      START + 1500,
    );
    expect(outcome.events).toEqual([
      {
        type: "stale",
        at: START + 1500,
        consumer: "consumer-2",
        producer: P1,
        had: 201,
        head: 197,
      },
    ]);
    // A consumer whose view lacks a producer the client has is behind on it too.
    const lacking = ledger.recordAnswer(answer([], { [P0]: 101 }, "consumer-3"), START + 2000);
    expect(lacking.events).toEqual([
      { type: "stale", at: START + 2000, consumer: "consumer-3", producer: P1, had: 201, head: 0 },
    ]);
    expect(ledger.snapshot(START + 2000).staleReads).toBe(2);
  });

  it("starts a producer first seen after the subscription at its first number", () => {
    const ledger = subscribed();
    const outcome = ledger.recordAnswer(
      answer([rec(P1, 1, START), rec(P1, 2, START)], { [P0]: 100 }),
      START + 500,
    );
    expect(outcome.events).toEqual([]);
    expect(ledger.snapshot(START + 500).producers[P1]).toEqual({
      highest: 2,
      received: 2,
      missing: 0,
      reordered: 0,
      duplicates: 0,
      fellBehind: 0,
    });
  });

  it("counts failed polls by reason", () => {
    const ledger = subscribed();
    expect(ledger.recordFailure(START + 500, "refused", "ECONNREFUSED")).toEqual([
      { type: "poll-failed", at: START + 500, reason: "refused", detail: "ECONNREFUSED" },
    ]);
    ledger.recordFailure(START + 1000, "timeout");
    ledger.recordFailure(START + 1200, "timeout");
    expect(ledger.snapshot(START + 1200)).toMatchObject({
      polls: 4,
      failedPolls: 3,
      failedPollsByReason: { refused: 1, timeout: 2 },
    });
  });
});

describe("createLedger: stalls", () => {
  it("starts a stall once it is longer than stallMs and ends it with its duration on fresh data", () => {
    const ledger = subscribed();
    ledger.recordAnswer(answer([rec(P0, 101, START + 400)]), START + 500);
    expect(ledger.recordAnswer(answer([], { [P0]: 101 }), START + 1000).events).toEqual([]);
    expect(ledger.tick(START + 2000)).toEqual([]);
    expect(ledger.tick(START + 2001)).toEqual([
      { type: "stall-start", at: START + 2001, since: START + 500 },
    ]);
    expect(ledger.recordFailure(START + 2500, "refused")).toHaveLength(1);
    expect(ledger.tick(START + 3000)).toEqual([]);
    expect(ledger.snapshot(START + 3000)).toMatchObject({
      stalls: 1,
      currentStallMs: 2500,
      longestStallMs: 2500,
      stallDurationsMs: [],
    });

    const outcome = ledger.recordAnswer(answer([rec(P0, 102, START + 3400)]), START + 3500);
    expect(outcome.events).toEqual([
      {
        type: "stall-end",
        at: START + 3500,
        since: START + 500,
        durationMs: 3000,
        consumer: "consumer-0",
      },
    ]);
    expect(ledger.snapshot(START + 3600)).toMatchObject({
      stalls: 1,
      currentStallMs: 100,
      longestStallMs: 3000,
      stallDurationsMs: [3000],
    });
  });

  it("reports start and end together when nothing noticed the stall in between", () => {
    const ledger = subscribed();
    const outcome = ledger.recordAnswer(answer([rec(P0, 101, START)]), START + 4000);
    expect(outcome.events.map((event) => event.type)).toEqual(["stall-start", "stall-end"]);
    expect(outcome.events[1]).toMatchObject({ durationMs: 4000 });
  });

  it("does not count a stretch of exactly stallMs, nor one ended by late numbers only", () => {
    const ledger = subscribed();
    ledger.recordAnswer(answer([rec(P0, 101, START), rec(P0, 103, START)]), START + 500);
    expect(ledger.recordAnswer(answer([rec(P0, 104, START)]), START + 2000).events).toEqual([]);
    expect(ledger.snapshot(START + 2000).stalls).toBe(0);
    // 102 is fresh to the client but not newer than what it had: the stall goes on.
    ledger.recordAnswer(answer([rec(P0, 102, START)], { [P0]: 104 }), START + 3000);
    expect(ledger.tick(START + 3501)).toEqual([
      { type: "stall-start", at: START + 3501, since: START + 2000 },
    ]);
  });

  it("keeps the durations of the last 32 outages only", () => {
    const ledger = subscribed();
    let at = START;
    for (let seq = 101; seq <= 140; seq += 1) {
      at += 2000 + seq;
      ledger.recordAnswer(answer([rec(P0, seq, at)]), at);
    }
    const snapshot = ledger.snapshot(at);
    expect(snapshot.stalls).toBe(40);
    expect(snapshot.stallDurationsMs).toHaveLength(32);
    expect(snapshot.stallDurationsMs[31]).toBe(2140);
    expect(snapshot.longestStallMs).toBe(2140);
  });
});

describe("createLedger: latency", () => {
  it("answers p50, p99 and max over the records of the last two minutes", () => {
    const ledger = subscribed();
    // An old bad minute that must have left the window by the end.
    ledger.recordAnswer(answer([rec(P0, 101, START - 9000)]), START + 1000);
    let seq = 101;
    for (let i = 0; i < 100; i += 1) {
      const at = START + 130_000 + i * 500;
      seq += 1;
      ledger.recordAnswer(answer([rec(P0, seq, at - (i + 1))]), at);
    }
    expect(ledger.snapshot(START + 180_000).latency).toEqual({
      count: 100,
      p50: 50,
      p99: 99,
      max: 100,
    });
  });

  it("stays bounded: ten minutes of 50-record polls keep two minutes of weighted latencies", () => {
    const ledger = subscribed();
    let seq = 100;
    let at = START;
    for (let poll = 0; poll < 1200; poll += 1) {
      at += 500;
      const records = Array.from({ length: 50 }, (_, i) => rec(P0, ++seq, at - 500 + i * 10));
      ledger.recordAnswer(answer(records), at);
    }
    const snapshot = ledger.snapshot(at);
    // 241 polls fall in [at − 120 s, at], each standing for its 50 records.
    expect(snapshot.latency).toEqual({ count: 241 * 50, p50: 250, p99: 500, max: 500 });
    expect(snapshot.freshRecords).toBe(60_000);
  });
});

/**
 * A client polling producer-0 every 500 ms; each poll brings the numbers produced since the
 * previous one, given by their latencies at receive time, oldest first.
 */
function steadyClient(options: Partial<LedgerOptions> = {}) {
  const ledger = createLedger({ stallMs: 1500, ...options });
  let seq = 100;
  ledger.recordAnswer(answer([], { [P0]: seq }), START);
  return {
    ledger,
    deliver(at: number, latencies: number[]): void {
      const records = latencies.map((latency) => rec(P0, ++seq, at - latency));
      ledger.recordAnswer(answer(records), at);
    },
    empty(at: number): void {
      ledger.recordAnswer(answer([], { [P0]: seq }), at);
    },
    fail(at: number): void {
      ledger.recordFailure(at, "refused");
    },
  };
}

// The fault happens after 2 minutes of steady polls whose records are 100 and 400 ms old: bound 400.
const T0 = START + 120_000;

function steadyUntilT0(options: Partial<LedgerOptions> = {}) {
  const client = steadyClient(options);
  for (let at = START + 500; at < T0; at += 500) client.deliver(at, [400, 100]);
  return client;
}

describe("createLedger: recovery time", () => {
  it("bounds latency by the p99 of the minute before t0, never below the floor", () => {
    const client = steadyClient();
    for (let at = START + 500; at < T0 - 60_000; at += 500) client.deliver(at, [5000, 100]);
    for (let at = T0 - 60_000; at < T0; at += 500) client.deliver(at, [400, 100]);
    expect(client.ledger.watchFault(T0)).toBe(400);

    const fast = steadyClient({ latencyFloorMs: 250 });
    for (let at = START + 500; at < T0; at += 500) fast.deliver(at, [50, 20]);
    expect(fast.ledger.watchFault(T0)).toBe(250);
    expect(createLedger({ stallMs: 1500 }).watchFault(T0)).toBe(250);
  });

  it("is 0 for a client that never noticed the fault", () => {
    const client = steadyUntilT0();
    client.ledger.watchFault(T0);
    for (let at = T0; at < T0 + 30_000; at += 500) client.deliver(at, [400, 100]);
    expect(client.ledger.recoveryTime(T0, T0 + 30_000)).toBe(0);
  });

  it("runs from t0 to the first poll after a failed stretch whose newest data is within the bound", () => {
    const client = steadyUntilT0();
    client.ledger.watchFault(T0);
    for (let at = T0 + 500; at <= T0 + 3000; at += 500) client.fail(at);
    expect(client.ledger.recoveryTime(T0, T0 + 3000)).toBeUndefined();
    // The backlog is old, but its newest record is 300 ms old: the client is current again.
    client.deliver(T0 + 3500, [3400, 2000, 300]);
    client.deliver(T0 + 4000, [400, 100]);
    expect(client.ledger.recoveryTime(T0, T0 + 4000)).toBe(3500);
  });

  it("counts an outage of empty answers as noticed, and a lagging consumer as not recovered", () => {
    const client = steadyUntilT0();
    client.ledger.watchFault(T0);
    for (let at = T0; at <= T0 + 2500; at += 500) client.empty(at);
    expect(client.ledger.recoveryTime(T0, T0 + 2600)).toBeUndefined();
    // Data flows again but from a consumer 5 s behind: not recovered.
    client.deliver(T0 + 3000, [6000, 5500, 5000]);
    client.deliver(T0 + 3500, [5400, 5000]);
    expect(client.ledger.recoveryTime(T0, T0 + 3500)).toBeUndefined();
    client.deliver(T0 + 4000, [900, 150]);
    expect(client.ledger.recoveryTime(T0, T0 + 4000)).toBe(4000);
  });

  it("is undefined while an outage that began before t0 goes on", () => {
    const client = steadyClient();
    for (let at = START + 500; at < T0 - 2000; at += 500) client.deliver(at, [400, 100]);
    for (let at = T0 - 2000; at <= T0 + 500; at += 500) client.empty(at);
    expect(client.ledger.recoveryTime(T0, T0 + 600)).toBeUndefined();
    client.deliver(T0 + 1000, [700, 200]);
    expect(client.ledger.recoveryTime(T0, T0 + 1000)).toBe(1000);
  });

  it("is undefined once a client that looked fine has had no fresh data for longer than stallMs", () => {
    const client = steadyUntilT0();
    client.deliver(T0 + 500, [400, 100]);
    expect(client.ledger.recoveryTime(T0, T0 + 1500)).toBe(0);
    // Its polls hang: nothing is recorded, but the time without fresh data is known.
    expect(client.ledger.recoveryTime(T0, T0 + 2001)).toBeUndefined();
  });

  it("measures a flapping client to the first good poll after its last failure", () => {
    const client = steadyUntilT0();
    client.fail(T0 + 500);
    client.deliver(T0 + 1000, [400, 100]);
    client.fail(T0 + 1500);
    client.deliver(T0 + 2000, [400, 100]);
    client.deliver(T0 + 2500, [400, 100]);
    expect(client.ledger.recoveryTime(T0, T0 + 2500)).toBe(2000);
  });

  it("gives the same answer when told of the fault after it happened", () => {
    const early = steadyUntilT0();
    const late = steadyUntilT0();
    early.ledger.watchFault(T0);
    for (const client of [early, late]) {
      client.fail(T0 + 500);
      client.deliver(T0 + 1000, [1000, 450]);
      client.deliver(T0 + 1500, [400, 100]);
    }
    expect(early.ledger.recoveryTime(T0, T0 + 1500)).toBe(1500);
    expect(late.ledger.recoveryTime(T0, T0 + 1500)).toBe(1500);
  });

  it("does not count a poll above the floor but within the bound, nor jitter within the floor", () => {
    const client = steadyUntilT0();
    client.deliver(T0 + 500, [450, 380]);
    expect(client.ledger.recoveryTime(T0, T0 + 500)).toBe(0);

    const fast = steadyClient({ latencyFloorMs: 250 });
    for (let at = START + 500; at < T0; at += 500) fast.deliver(at, [50, 20]);
    fast.deliver(T0 + 500, [300, 200]);
    expect(fast.ledger.recoveryTime(T0, T0 + 500)).toBe(0);
    fast.deliver(T0 + 1000, [400, 300]);
    fast.deliver(T0 + 1500, [100, 20]);
    expect(fast.ledger.recoveryTime(T0, T0 + 1500)).toBe(1500);
  });
});
