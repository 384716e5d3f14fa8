import { describe, expect, it } from "vitest";
import type { Fault } from "../../backend/src/contract/fault.ts";
import { faultBands, faultWindow } from "./faultBands.ts";
import { fault as faultOf } from "./testData.fixture.ts";

const fault = (report: Partial<Fault["report"]>): Fault => faultOf("f1", 10_000, report);

describe("fault bands", () => {
  it("end where the fault ends, and grow until now while open", () => {
    const done = fault({ status: "complete", podRecoveryMs: 31_800, lagRecoveryMs: 31_600 });
    const open = { ...fault({ podRecoveryMs: 2000 }), id: "f2" };
    expect(faultBands([done, open], 15_000)).toEqual([
      { id: "f1", target: "consumer-1", from: 10_000, to: 41_800, open: false },
      { id: "f2", target: "consumer-1", from: 10_000, to: 15_000, open: true },
    ]);
  });

  it("zoom to a fault with a margin either side", () => {
    const done = fault({ status: "complete", podRecoveryMs: 100_000, lagRecoveryMs: 0 });
    expect(faultWindow(done, 0)).toEqual({ from: -15_000, to: 135_000 });
    const short = fault({ status: "complete", podRecoveryMs: 1000 });
    expect(faultWindow(short, 0)).toEqual({ from: -5000, to: 26_000 });
  });
});
