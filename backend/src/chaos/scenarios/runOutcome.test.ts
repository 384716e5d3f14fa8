import { describe, expect, it } from "vitest";
import { runOutcome } from "./runOutcome.ts";
import type { SloResult, StepResult } from "../../contract/scorecard.ts";

const step = (outcome: StepResult["outcome"]): StepResult => ({
  index: 0,
  description: "kill consumer-0 (hard)",
  startedAt: 0,
  endedAt: 1,
  outcome,
});
const slo = (passed: boolean): SloResult => ({
  name: "missing",
  bound: 0,
  actual: passed ? 0 : 3,
  unit: "records",
  passed,
});

describe("runOutcome", () => {
  it("passes a run whose steps all ran and whose SLOs all hold", () => {
    expect(runOutcome({ steps: [step("done")], slos: [slo(true), slo(true)] }, undefined)).toEqual({
      status: "passed",
      message: "2/2 SLOs hold",
    });
  });

  it("fails a run with an SLO that does not hold", () => {
    expect(runOutcome({ steps: [step("done")], slos: [slo(true), slo(false)] }, undefined)).toEqual(
      { status: "failed", message: "1/2 SLOs hold" },
    );
  });

  it.each(["refused", "failed"] as const)("calls a run with a %s step an error", (outcome) => {
    expect(runOutcome({ steps: [step(outcome)], slos: [slo(true)] }, undefined)).toEqual({
      status: "error",
      message: "a step was refused: the scenario did not run as written",
    });
  });

  it("calls an aborted run aborted, whatever else happened", () => {
    expect(
      runOutcome(
        { steps: [step("refused"), step("skipped")], slos: [slo(false)] },
        "emergency stop",
      ),
    ).toEqual({ status: "aborted", message: "aborted: emergency stop" });
  });
});
