import { describe, expect, it } from "vitest";
import {
  largestRise,
  outageTable,
  phaseFigures,
  type PhaseReadings,
} from "./telemetryOutageSummary.ts";

const MIB = 2 ** 20;

/** The fleet's /metrics with `polls` answered, `failed` failed, and latencies in the given buckets. */
function fleet(polls: number, failed: number, latency: Record<string, number>) {
  return new Map<string, number>([
    ['blackout_client_polls_total{result="ok"}', polls - failed],
    ['blackout_client_polls_total{result="failed"}', failed],
    ['blackout_client_polls_total{result="timeout"}', 0],
    ...Object.entries(latency).map(
      ([le, count]) => [`blackout_client_latency_seconds_bucket{le="${le}"}`, count] as const,
    ),
  ]);
}

const readings = (fields: Partial<PhaseReadings> = {}): PhaseReadings => ({
  name: "every backend up",
  frozen: null,
  seconds: 120,
  fleetBefore: fleet(1000, 0, { "0.1": 100, "0.5": 100, "+Inf": 100 }),
  fleetAfter: fleet(2000, 3, { "0.1": 190, "0.5": 200, "+Inf": 200 }),
  services: [
    {
      at: 0,
      service: "consumer-0",
      afterGcBytes: 40 * MIB,
      spanQueue: 3,
      spanQueueCapacity: 2048,
      spansDropped: 10,
    },
    {
      at: 5000,
      service: "consumer-0",
      afterGcBytes: 42 * MIB,
      spanQueue: 9,
      spanQueueCapacity: 2048,
      spansDropped: 25,
    },
    { at: 0, service: "control", afterGcBytes: 60 * MIB },
    { at: 5000, service: "supervisor" },
  ],
  ...fields,
});

describe("phaseFigures", () => {
  it("gives what clients saw and what the services carried over the phase", () => {
    expect(phaseFigures(readings())).toEqual({
      name: "every backend up",
      frozen: null,
      seconds: 120,
      latencyP50Ms: 100,
      latencyP99Ms: 500,
      pollP50Ms: null,
      pollP99Ms: null,
      polls: 1000,
      failedPolls: 3,
      spansDropped: 15,
      spanQueueMax: 9,
      spanQueueCapacity: 2048,
      afterGcMib: { "consumer-0": 42, control: 60 },
    });
  });

  it("counts a restarted service's drops from its restart", () => {
    const restarted = readings({
      services: [
        { at: 0, service: "consumer-0", spansDropped: 500 },
        { at: 5000, service: "consumer-0", spansDropped: 7 },
      ],
    });
    expect(phaseFigures(restarted).spansDropped).toBe(7);
  });
});

describe("outageTable", () => {
  it("sets each phase against the first: latency ratio and the largest rise in memory after GC", () => {
    const first = phaseFigures(readings());
    const frozen = phaseFigures(
      readings({
        name: "Jaeger frozen",
        frozen: "jaeger",
        fleetBefore: fleet(2000, 3, { "0.1": 190, "0.5": 200, "1": 200, "+Inf": 200 }),
        fleetAfter: fleet(3000, 3, { "0.1": 280, "0.5": 290, "1": 300, "+Inf": 300 }),
        services: [
          {
            at: 0,
            service: "consumer-0",
            afterGcBytes: 45 * MIB,
            spanQueue: 2048,
            spanQueueCapacity: 2048,
            spansDropped: 25,
          },
          {
            at: 5000,
            service: "consumer-0",
            afterGcBytes: 47 * MIB,
            spanQueue: 2048,
            spansDropped: 925,
          },
          { at: 0, service: "control", afterGcBytes: 61 * MIB },
        ],
      }),
    );
    expect(largestRise(first, frozen)).toEqual({ service: "consumer-0", mib: 5 });
    expect(outageTable([first, frozen]).split("\n").slice(2)).toEqual([
      "| every backend up | 100 / 500 | 1.00× | — / — | 1000 | 3 | 15 | 9 / 2048 | +0 (consumer-0) |",
      "| Jaeger frozen | 100 / 1000 | 2.00× | — / — | 1000 | 0 | 900 | 2048 / 2048 | +5 (consumer-0) |",
    ]);
  });
});
