import { describe, expect, it } from "vitest";
import { compareWithBaseline } from "./baseline.ts";
import type { Scorecard } from "../../contract/scorecard.ts";
import { passingScorecard } from "./scorecard.fixture.ts";

/** The fixture with its one fault's client recovery p99 and the run's missing total set. */
function run(p99Ms: number | null, missing = 0): Scorecard {
  const scorecard = passingScorecard();
  scorecard.faults = scorecard.faults.map((fault) => ({
    ...fault,
    report: {
      ...fault.report,
      clientRecovery:
        p99Ms === null
          ? null
          : { clients: 20, pending: 0, neverNoticed: 0, p50Ms: 100, p99Ms, maxMs: p99Ms },
    },
  }));
  scorecard.totals = { missing, duplicates: 0, staleReads: 0, failedPolls: 0, fellBehind: 0 };
  return scorecard;
}

describe("compareWithBaseline", () => {
  it("finds nothing when the run is as good as its baseline", () => {
    expect(compareWithBaseline(run(9_000), run(9_400), { marginPct: 20 })).toEqual({
      regressions: [],
      warnings: [],
    });
  });

  it("tolerates a rise within the margin", () => {
    expect(compareWithBaseline(run(11_000), run(10_000), { marginPct: 20 }).regressions).toEqual(
      [],
    );
  });

  it("reports a client recovery p99 worse by more than the margin", () => {
    const { regressions } = compareWithBaseline(run(13_000), run(10_000), { marginPct: 20 });
    expect(regressions).toEqual([
      "client recovery p99 (worst fault) rose from 10.0 s to 13.0 s (+30 %), more than the 20 % margin",
    ]);
  });

  it("ignores a large percentage of almost nothing (the absolute slack)", () => {
    expect(compareWithBaseline(run(450), run(50), { marginPct: 20 }).regressions).toEqual([]);
    expect(compareWithBaseline(run(650), run(50), { marginPct: 20 }).regressions).toHaveLength(1);
    expect(
      compareWithBaseline(run(450), run(50), { marginPct: 20, slackMs: 100 }).regressions,
    ).toHaveLength(1);
  });

  it("compares the worst fault of each run", () => {
    const current = run(2_000);
    const [fault] = current.faults;
    if (fault?.report.clientRecovery == null) throw new Error("fixture has a fault");
    current.faults.push({
      ...fault,
      id: "second",
      report: {
        ...fault.report,
        clientRecovery: { ...fault.report.clientRecovery, p99Ms: 30_000 },
      },
    });
    expect(compareWithBaseline(current, run(10_000), { marginPct: 20 }).regressions).toHaveLength(
      1,
    );
  });

  it("reports records missing that were not missing in the baseline", () => {
    expect(compareWithBaseline(run(9_000, 3), run(9_000, 0), { marginPct: 20 })).toEqual({
      regressions: ["3 records went missing (baseline: 0)"],
      warnings: [],
    });
    expect(
      compareWithBaseline(run(9_000, 3), run(9_000, 3), { marginPct: 20 }).regressions,
    ).toEqual([]);
  });

  it("warns, without failing, when the labs were configured differently", () => {
    const current = run(9_000);
    current.lab = { ...current.lab, configHash: "0123456789abcdef" };
    const { regressions, warnings } = compareWithBaseline(current, run(9_000), { marginPct: 20 });
    expect(regressions).toEqual([]);
    expect(warnings).toEqual([
      "the lab's configuration differs from the baseline's (config hash 0123456789ab vs 3f1c9a0e5b7d): the figures may not be comparable",
    ]);
  });

  it("warns when a figure cannot be compared", () => {
    const current = run(null);
    current.totals = null;
    const { regressions, warnings } = compareWithBaseline(current, run(9_000), { marginPct: 20 });
    expect(regressions).toEqual([]);
    expect(warnings).toHaveLength(2);
  });
});
