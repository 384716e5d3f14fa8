import { describe, expect, it } from "vitest";
import type { Scorecard } from "../../contract/scorecard.ts";
import { sloVerdicts } from "./sloVerdicts.ts";

type Fault = Scorecard["faults"][number];

const TOTALS = { missing: 0, duplicates: 3, staleReads: 40, failedPolls: 7, fellBehind: 0 };

/** A broker kill whose three recovery times are those given (null: not known yet). */
function fault(times: { clientP99: number | null; pod: number | null; lag: number | null }): Fault {
  return {
    id: "f",
    t0: 0,
    target: "kafka-1",
    kind: "broker",
    action: "kill",
    mode: "hard",
    actor: "scenario:run-1",
    selector: "kafka-1",
    report: {
      status: times.pod === null ? "open" : "complete",
      podRecoveryMs: times.pod,
      clientRecovery:
        times.clientP99 === null
          ? null
          : {
              clients: 4,
              pending: 0,
              neverNoticed: 0,
              p50Ms: 10,
              p99Ms: times.clientP99,
              maxMs: 0,
            },
      lagRecoveryMs: times.lag,
      totals: null,
      windowEnd: null,
      timedOut: false,
    },
  };
}

const FAULTS = [
  fault({ clientP99: 900, pod: 8000, lag: 12_000 }),
  fault({ clientP99: 1500, pod: 6000, lag: 15_000 }),
];

describe("sloVerdicts", () => {
  it.each([
    ["missing", 0, 0, "records"],
    ["duplicates", 3, 3, "records"],
    ["staleReads", 50, 40, "records"],
    ["failedPolls", 7, 7, "polls"],
    ["clientRecoveryP99", 1500, 1500, "ms"],
    ["podRecovery", 10_000, 8000, "ms"],
    ["lagRecovery", 15_000, 15_000, "ms"],
  ] as const)("passes %s at or under its bound (%d)", (name, bound, actual, unit) => {
    expect(sloVerdicts({ [name]: bound }, TOTALS, FAULTS)).toEqual([
      { name, bound, actual, unit, passed: true },
    ]);
  });

  it.each([
    ["missing", 0, -1],
    ["duplicates", 3, 2],
    ["staleReads", 40, 39],
    ["failedPolls", 7, 6],
    ["clientRecoveryP99", 1500, 1499],
    ["podRecovery", 8000, 7999],
    ["lagRecovery", 15_000, 14_999],
  ] as const)("fails %s over its bound, counting the worst fault's time", (name, actual, bound) => {
    expect(sloVerdicts({ [name]: bound }, TOTALS, FAULTS)).toMatchObject([
      { name, bound, actual, passed: false },
    ]);
  });

  it("fails the count SLOs while the run has no totals", () => {
    const verdicts = sloVerdicts(
      { missing: 0, duplicates: 0, staleReads: 0, failedPolls: 0 },
      null,
      [],
    );
    expect(verdicts.map((v) => [v.name, v.actual, v.passed])).toEqual([
      ["missing", null, false],
      ["duplicates", null, false],
      ["staleReads", null, false],
      ["failedPolls", null, false],
    ]);
  });

  it("fails a time SLO while any fault's time is unknown, however good the others", () => {
    const faults = [
      fault({ clientP99: 100, pod: 100, lag: 100 }),
      fault({ clientP99: null, pod: null, lag: null }),
    ];
    const verdicts = sloVerdicts(
      { clientRecoveryP99: 60_000, podRecovery: 60_000, lagRecovery: 60_000 },
      TOTALS,
      faults,
    );
    expect(verdicts.map((v) => [v.name, v.actual, v.passed])).toEqual([
      ["clientRecoveryP99", null, false],
      ["podRecovery", null, false],
      ["lagRecovery", null, false],
    ]);
  });

  it("passes the time SLOs of a run that caused no fault (nothing to recover from)", () => {
    expect(sloVerdicts({ podRecovery: 0 }, TOTALS, [])).toEqual([
      { name: "podRecovery", bound: 0, actual: 0, unit: "ms", passed: true },
    ]);
  });

  it("judges only the SLOs the scenario sets, in the order it writes them", () => {
    const verdicts = sloVerdicts({ lagRecovery: 20_000, missing: 0 }, TOTALS, FAULTS);
    expect(verdicts.map((v) => v.name)).toEqual(["lagRecovery", "missing"]);
    expect(sloVerdicts({}, TOTALS, FAULTS)).toEqual([]);
  });
});
