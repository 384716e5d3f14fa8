import { describe, expect, it } from "vitest";
import type { Fault } from "../../backend/src/contract/fault.ts";
import { faultBands, faultEnd, faultWindow } from "./faultBands.ts";
import { fault as faultOf } from "./testData.fixture.ts";

const fault = (report: Partial<Fault["report"]>): Fault => faultOf("f1", 10_000, report);

const clients = (maxMs: number) => ({
  clients: 20,
  pending: 0,
  neverNoticed: 3,
  p50Ms: 100,
  p99Ms: maxMs,
  maxMs,
});

describe("fault bands", () => {
  it("end at the longest of the three recovery times once complete", () => {
    const done = fault({
      status: "complete",
      podRecoveryMs: 31_800,
      clientRecovery: clients(950),
      lagRecoveryMs: 31_600,
    });
    expect(faultEnd(done, 99_999_999)).toBe(41_800);
    expect(faultBands([done], 0)).toEqual([
      { id: "f1", target: "consumer-1", from: 10_000, to: 41_800, open: false },
    ]);
  });

  it("grow until now while open, and end with the window when the report timed out", () => {
    expect(faultEnd(fault({ podRecoveryMs: 2000 }), 15_000)).toBe(15_000);
    expect(faultEnd(fault({ podRecoveryMs: 9000 }), 15_000)).toBe(19_000);
    const timedOut = fault({
      status: "complete",
      timedOut: true,
      podRecoveryMs: 5000,
      windowEnd: 190_000,
    });
    expect(faultEnd(timedOut, 500_000)).toBe(190_000);
  });

  it("zoom to a fault with a margin either side", () => {
    const done = fault({ status: "complete", podRecoveryMs: 100_000, lagRecoveryMs: 0 });
    expect(faultWindow(done, 0)).toEqual({ from: -15_000, to: 135_000 });
    const short = fault({ status: "complete", podRecoveryMs: 1000 });
    expect(faultWindow(short, 0)).toEqual({ from: -5000, to: 26_000 });
  });
});
