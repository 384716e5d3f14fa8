import { describe, expect, it } from "vitest";
import {
  markdownTable,
  renderFailoverChart,
  summarize,
  type FailoverSample,
} from "./failoverSummary.ts";

function sample(overrides: Partial<FailoverSample>): FailoverSample {
  return {
    settings: "typical",
    fault: "broker hard kill (a leader)",
    rep: 0,
    faultId: "f",
    target: "kafka-1",
    podMs: 10_000,
    client: { p50Ms: 9000, p99Ms: 12_000, maxMs: 13_000 },
    clientsNoticed: 20,
    lagMs: 14_000,
    producerStallMs: 11_000,
    missing: 0,
    duplicates: 0,
    staleReads: 0,
    failedPolls: 0,
    floor: { ms: 9000, because: "the controller fences it (broker.session.timeout.ms 9 s)" },
    timedOut: false,
    ...overrides,
  };
}

describe("the failover summary", () => {
  const samples = [
    sample({ rep: 0 }),
    sample({ rep: 1, client: { p50Ms: 9000, p99Ms: 18_000, maxMs: 19_000 }, lagMs: null }),
    sample({ rep: 2, client: { p50Ms: 9000, p99Ms: 9500, maxMs: 9600 }, missing: 2 }),
    sample({
      settings: "tuned",
      podMs: 5000,
      floor: { ms: 3000, because: "x" },
      client: { p50Ms: 0, p99Ms: 0, maxMs: 0 },
    }),
    sample({ fault: "producer hard kill", floor: { ms: 0, because: "none" }, timedOut: true }),
  ];

  it("gives percentiles over the repetitions, totals, and p50 ÷ floor", () => {
    const [typical, tuned, producer] = summarize(samples);
    expect(typical).toMatchObject({
      settings: "typical",
      reps: 3,
      // Nearest rank over 3: p50 is the 2nd, p99 the 3rd.
      clientP99Ms: { p50: 12_000, p99: 18_000, max: 18_000 },
      // A repetition whose lag never recovered is left out, not counted as 0.
      lagMs: { p50: 14_000, p99: 14_000, max: 14_000 },
      missing: 2,
      floorMs: 9000,
      clientRatio: 1.33,
      lagRatio: 1.56,
    });
    expect(tuned).toMatchObject({ settings: "tuned", reps: 1, clientRatio: 0, floorMs: 3000 });
    // No ratio against a floor of none.
    expect(producer).toMatchObject({ timedOut: 1, clientRatio: null, lagRatio: null });
  });

  it("renders a table row per settings and fault, and says which repetitions timed out", () => {
    const table = markdownTable(summarize(samples));
    expect(table.split("\n")).toHaveLength(5);
    expect(table).toContain(
      "| broker hard kill (a leader) | typical | 10.0 / 10.0 / 10.0 | 12.0 / 18.0 / 18.0 | 14.0 / 14.0 / 14.0 | 11.0 / 11.0 | 9.0 | 1.3× | 1.6× | 2 | 0 |",
    );
    expect(table).toContain("| producer hard kill (1 of 1 timed out) | typical |");
  });

  it("draws a bar per settings and measure for each fault, with the floor", () => {
    const svg = renderFailoverChart(summarize(samples));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">broker hard kill (a leader)</text>");
    expect(svg).toContain("<title>broker hard kill (a leader), tuned, client p99: p50 0.0 s");
    // Floor ticks: 2 measures × 2 settings for the broker, 2 for the producer's (typical only).
    expect(svg.match(/stroke-width="2"/g)).toHaveLength(6);
  });
});
