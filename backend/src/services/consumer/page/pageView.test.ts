import { describe, expect, it } from "vitest";
import { createLedger } from "../../../ledger/ledger.ts";
import type { RecordsAnswer } from "../../../contract/recordsAnswer.ts";
import { createNumberStrips } from "./numberStrips.ts";
import { formatConnection, formatEvent, formatPageView } from "./pageView.ts";

const START = 1_700_000_000_000;

function answer(records: [string, number][], consumer = "consumer-1"): RecordsAnswer {
  const heads: Record<string, number> = { "producer-0": 100, "producer-1": 10 };
  for (const [producer, seq] of records) heads[producer] = Math.max(seq, heads[producer] ?? 0);
  return {
    consumer,
    records: records.map(([producer, seq]) => ({ producer, seq, ts: START })),
    cursor: "c",
    heads,
    truncated: false,
    ready: true,
  };
}

describe("formatPageView", () => {
  it("shows the ledger's counters, producers in id order with their strips, and red when missing", () => {
    const ledger = createLedger({ stallMs: 1500 });
    const strips = createNumberStrips(3);
    ledger.recordAnswer(answer([]), START);
    const records: [string, number][] = [
      ["producer-1", 11],
      ["producer-0", 101],
      ["producer-0", 102],
      ["producer-0", 105],
      ["producer-0", 106],
    ];
    strips.add(ledger.recordAnswer(answer(records), START + 400).fresh);
    ledger.recordFailure(START + 900, "timeout");

    const view = formatPageView(
      ledger.snapshot(START + 1000),
      { kind: "live" },
      strips,
      START + 1000,
    );
    expect(view).toEqual({
      connection: "live",
      live: true,
      consumer: "consumer-1",
      counters: {
        missing: "2",
        duplicates: "0",
        stale: "0",
        "failed-polls": "1",
        stalls: "0",
        "longest-stall": "–",
        "current-stall": "600 ms",
        "latency-p50": "400 ms",
        "latency-p99": "400 ms",
        "fresh-records": "5",
        polls: "3",
      },
      missingAlarm: true,
      producers: [
        {
          id: "producer-0",
          head: "106",
          received: "4",
          missing: "2",
          missingAlarm: true,
          strip: "102 105 106",
        },
        {
          id: "producer-1",
          head: "11",
          received: "1",
          missing: "0",
          missingAlarm: false,
          strip: "11",
        },
      ],
    });
  });

  it("shows a fresh client with dashes rather than zeros where nothing was measured", () => {
    const view = formatPageView(
      createLedger({ stallMs: 1500 }).snapshot(START),
      { kind: "connecting" },
      createNumberStrips(20),
      START,
    );
    expect(view).toMatchObject({
      connection: "connecting",
      live: false,
      consumer: "–",
      missingAlarm: false,
      producers: [],
    });
    expect(view.counters["latency-p99"]).toBe("–");
  });
});

describe("formatConnection", () => {
  it("counts the reconnect attempt and the seconds to the next one", () => {
    const state = { kind: "reconnecting", attempt: 3, nextAt: START + 1840 } as const;
    expect(formatConnection(state, START)).toBe("reconnecting (attempt 3, next in 1.8 s)");
    expect(formatConnection(state, START + 5000)).toBe("reconnecting (attempt 3, next in 0.0 s)");
  });
});

describe("formatEvent", () => {
  const at = new Date(2026, 0, 2, 9, 5, 7).getTime();
  it.each([
    [
      { type: "gap", at, consumer: "consumer-2", producer: "producer-0", from: 102, to: 104 },
      "09:05:07 gap: producer-0 102–104 missing (from consumer-2)",
    ],
    [
      { type: "duplicate", at, consumer: "consumer-0", producer: "producer-1", from: 7, to: 7 },
      "09:05:07 duplicate: producer-1 7 (from consumer-0)",
    ],
    [
      { type: "stale", at, consumer: "consumer-1", producer: "producer-0", had: 120, head: 117 },
      "09:05:07 stale read: consumer-1 at producer-0 117, had 120",
    ],
    [
      { type: "poll-failed", at, reason: "http", detail: "HTTP 503: no ready consumer" },
      "09:05:07 poll failed: http (HTTP 503: no ready consumer)",
    ],
    [
      { type: "stall-end", at, since: at - 4200, durationMs: 4200, consumer: "consumer-1" },
      "09:05:07 stall over after 4.2 s (via consumer-1)",
    ],
  ] as const)("formats %j", (event, text) => {
    expect(formatEvent(event)).toBe(text);
  });
});
