import { describe, expect, it } from "vitest";
import { recoveredFault, fakeSoakRun } from "./soakRun.fixture.ts";
import type { MemorySample } from "./memorySlope.ts";
import {
  faultsTable,
  serviceMemory,
  soakChecks,
  type SoakCheck,
  type SoakRun,
} from "./soakSummary.ts";

const failed = (run: SoakRun): SoakCheck[] => soakChecks(run).filter((c) => !c.ok);
const check = (run: SoakRun, name: string): SoakCheck | undefined =>
  soakChecks(run).find((c) => c.name === name);
const base = fakeSoakRun();

describe("soakChecks", () => {
  it("passes a soak where nothing was lost, every fault recovered and memory stayed flat", () => {
    expect(failed(base)).toEqual([]);
    expect(check(base, "faults")?.detail).toBe("2 injected, 1 refused by the guards, 0 failed");
    expect(check(base, "memory flat")?.detail).toBe(
      "1 service ≤ 64 MiB/h (steepest: consumer-2 12.5 MiB/h after GC); not judged: prometheus (its head block holds 2 h of samples)",
    );
  });

  it("fails on a fault control could not be asked for, but not on a guard's refusal", () => {
    const run = fakeSoakRun({
      attempts: [
        ...base.attempts,
        { at: 5, label: "hard kill of kafka-1", outcome: "error", reason: "HTTP 500" },
      ],
    });
    expect(failed(run).map((c) => c.name)).toEqual(["faults"]);
    expect(check(run, "faults")?.detail).toContain("hard kill of kafka-1: HTTP 500");
  });

  it("fails when every fault was refused: the soak then tested nothing", () => {
    const run = fakeSoakRun({ attempts: base.attempts.filter((a) => a.outcome === "refused") });
    expect(failed(run).map((c) => c.name)).toEqual(["faults"]);
  });

  it("fails when a client missed a record, or when the fleet restarted and its ledger with it", () => {
    expect(
      failed(fakeSoakRun({ ledger: { ...base.ledger, missing: 1 } })).map((c) => c.name),
    ).toEqual(["ledger"]);
    const restarted = fakeSoakRun({ serviceRestarts: { clients: 1 } });
    expect(failed(restarted).map((c) => c.name)).toEqual(["nothing crashed", "ledger"]);
  });

  it("fails on a hole in the read-back, and on a read-back that did not reach the end", () => {
    const [producer] = base.readBack.producers;
    if (producer === undefined) throw new Error("the fixture has a producer");
    const holed = fakeSoakRun({
      readBack: {
        ...base.readBack,
        producers: [{ ...producer, holes: [{ from: 7, to: 9 }], missing: 3 }],
      },
    });
    expect(failed(holed).map((c) => c.name)).toEqual(["read-back"]);
    expect(check(holed, "read-back")?.detail).toContain("producer-0 misses 3 (7–9)");
    const short = fakeSoakRun({ readBack: { ...base.readBack, complete: false } });
    expect(failed(short).map((c) => c.name)).toEqual(["read-back"]);
  });

  it("fails when a fault's report timed out or is still open", () => {
    const timedOut = recoveredFault("f3", 9, {});
    const run = fakeSoakRun({
      faults: [
        ...base.faults,
        // Every time known, but the window ran out before the last of them settled.
        { ...timedOut, report: { ...timedOut.report, timedOut: true } },
        { ...timedOut, id: "f4", report: { ...timedOut.report, status: "open" } },
      ],
    });
    expect(failed(run).map((c) => c.name)).toEqual(["three recovery times"]);
    expect(check(run, "three recovery times")?.detail).toBe(
      "2 of 4 without all three: f3 (timed out), f4 (still open)",
    );
  });

  it("fails when something died that the soak did not kill", () => {
    const crash = recoveredFault("f5", 9, { actor: "external", detail: "exit code 1" });
    const run = fakeSoakRun({ faults: [...base.faults, crash] });
    expect(failed(run).map((c) => c.name)).toEqual(["nothing crashed"]);
    expect(check(run, "nothing crashed")?.detail).toBe("consumer-1 terminated (exit code 1)");
  });

  it("fails on a judged service growing faster than the threshold, not on one not judged", () => {
    const [consumer, prometheus] = base.memory;
    if (consumer === undefined || prometheus === undefined) throw new Error("fixture");
    const leaking = fakeSoakRun({ memory: [{ ...consumer, mibPerHour: 65 }, prometheus] });
    expect(failed(leaking).map((c) => c.name)).toEqual(["memory flat"]);
    expect(check(leaking, "memory flat")?.detail).toBe(
      "above 64 MiB/h: consumer-2 65 MiB/h after GC; not judged: prometheus (its head block holds 2 h of samples)",
    );
  });
});

describe("soakChecks on the spared targets", () => {
  it("fails a run long enough to judge when a spared target was not judged, not a short one", () => {
    const [consumer, prometheus] = base.memory;
    if (consumer === undefined || prometheus === undefined) throw new Error("fixture");
    const unjudged = {
      ...consumer,
      notJudged: "no process lived 600 s past its warm-up (longest 300 s)",
    };
    const run = fakeSoakRun({ spared: ["consumer-2", "kafka-3"], memory: [unjudged, prometheus] });
    expect(check(run, "memory flat")).toMatchObject({ ok: false });
    expect(check(run, "memory flat")?.detail).toMatch(
      /^spared but not judged: consumer-2, kafka-3; /,
    );
    const short = { ...run, settings: { ...run.settings, minutes: 3 } };
    expect(check(short, "memory flat")?.ok).toBe(true);
  });
});

describe("serviceMemory", () => {
  const MIB = 2 ** 20;
  /** A sample every 10 s for `seconds` from `from`, growing `mibPerHour` from `startMib`. */
  const growing = (
    seconds: number,
    mibPerHour: number,
    { pid = 7, from = 0, startMib = 100 } = {},
  ): MemorySample[] =>
    Array.from({ length: seconds / 10 + 1 }, (_, i) => ({
      at: from + i * 10_000,
      pid,
      bytes: (startMib + (mibPerHour * i * 10) / 3600) * MIB,
    }));
  const settings = { warmupS: 120, minFitS: 600 };

  it("judges a Node service on what its full collections left, and reports its resident memory beside", () => {
    const [memory] = serviceMemory(
      new Map([["control", { resident: growing(1200, 200), afterGc: growing(1200, 36) }]]),
      settings,
    );
    expect(memory).toEqual({
      service: "control",
      measure: "after GC",
      mibPerHour: 36,
      residentMibPerHour: 200,
      samples: 109,
      incarnations: 1,
      fitted: 1,
      spanMs: 1_080_000,
      firstMib: 100,
      lastMib: 166.7,
      maxMib: 166.7,
      maxAfterGcMib: 112,
    });
  });

  it("judges a service without collections (Kafka) on its resident memory", () => {
    const [memory] = serviceMemory(
      new Map([["kafka-3", { resident: growing(1200, 80), afterGc: [] }]]),
      settings,
    );
    expect(memory).toMatchObject({ measure: "resident", mibPerHour: 80, maxAfterGcMib: null });
  });

  it("fits only lives long enough to tell, and reports without judging a service that had none", () => {
    const shortLives = [
      ...growing(300, 900, { pid: 1 }),
      ...growing(400, -900, { pid: 2, from: 310_000 }),
    ];
    const memory = serviceMemory(
      new Map([
        ["control", { resident: growing(300, 36), afterGc: [] }],
        ["consumer-0", { resident: shortLives, afterGc: [] }],
        ["consumer-2", { resident: [...shortLives, ...growing(900, 5, { pid: 3 })], afterGc: [] }],
        ["prometheus", { resident: growing(1200, 500), afterGc: [] }],
        ["jaeger", { resident: growing(1200, 500), afterGc: [] }],
      ]),
      settings,
    );
    expect(memory.map((m) => [m.service, m.notJudged, m.fitted])).toEqual([
      ["control", "no process lived 600 s past its warm-up (longest 180 s)", 0],
      ["consumer-0", "no process lived 600 s past its warm-up (longest 280 s)", 0],
      ["consumer-2", undefined, 1],
      ["prometheus", "its head block holds 2 h of samples", 1],
      ["jaeger", "it keeps up to 20 000 traces", 1],
    ]);
    expect(memory[2]?.mibPerHour).toBe(5);
  });
});

describe("faultsTable", () => {
  it("gives each fault's minute, what was done, and its three recovery times", () => {
    expect(faultsTable(base).split("\n").slice(2)).toEqual([
      "| 0.0 | hard kill of consumer-1 | api | 4.0 | 0.6 | 5.0 | 0 | complete |",
      "| 0.5 | freeze kafka-2 9 s | api | 4.0 | 0.6 | 5.0 | 0 | complete |",
    ]);
  });
});
