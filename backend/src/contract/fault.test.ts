import { describe, expect, it } from "vitest";
import { faultActionOf, faultEnd, faultId, type Fault } from "./fault.ts";
import { fakeFault } from "./fault.fixture.ts";

const T0 = 10_000;

const fault = (report: Partial<Fault["report"]>): Fault => fakeFault("f1", T0, report);

const clients = (maxMs: number) => ({
  clients: 20,
  pending: 0,
  neverNoticed: 3,
  p50Ms: 100,
  p99Ms: maxMs / 2,
  maxMs,
});

describe("faultEnd", () => {
  it("is t0 plus the longest of the three recovery times once complete, the last client's too", () => {
    const done = fault({
      status: "complete",
      podRecoveryMs: 31_800,
      clientRecovery: clients(950),
      lagRecoveryMs: 31_600,
      windowEnd: 70_000,
    });
    expect(faultEnd(done, 99_999_999)).toBe(41_800);
    const slowClient = fault({ ...done.report, clientRecovery: clients(40_000) });
    expect(faultEnd(slowClient, 0)).toBe(50_000);
  });

  it("grows until now while open, past the recovery times known so far", () => {
    expect(faultEnd(fault({}), 12_000)).toBe(12_000);
    expect(faultEnd(fault({ podRecoveryMs: 2000 }), 15_000)).toBe(15_000);
    expect(faultEnd(fault({ podRecoveryMs: 9000 }), 15_000)).toBe(19_000);
  });

  it("ends with the window when the report timed out, whatever was known by then", () => {
    const timedOut = fault({
      status: "complete",
      timedOut: true,
      podRecoveryMs: 5000,
      windowEnd: 190_000,
    });
    expect(faultEnd(timedOut, 500_000)).toBe(190_000);
    expect(faultEnd({ ...timedOut, report: { ...timedOut.report, podRecoveryMs: null } }, 0)).toBe(
      190_000,
    );
  });
});

describe("faultActionOf", () => {
  it("names the kill's mode, graceful unless given, and the freeze's seconds", () => {
    expect(faultActionOf(fault({}))).toBe("kill (hard)");
    expect(faultActionOf({ ...fault({}), mode: undefined })).toBe("kill (graceful)");
    expect(faultActionOf({ ...fault({}), action: "freeze", mode: undefined, seconds: 20 })).toBe(
      "freeze 20 s",
    );
  });
});

describe("faultId", () => {
  it("is t0 to the second, the target and t0's milliseconds", () => {
    expect(faultId(Date.UTC(2026, 11, 6, 15, 37, 23, 78), "consumer-1")).toBe(
      "20261206T153723Z-consumer-1-078",
    );
  });
});
