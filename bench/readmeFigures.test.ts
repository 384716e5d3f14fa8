import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAllResults, renderFigures, withFigures } from "./figures.ts";
import { summarizeFleetRuns, type FleetRun } from "./fleetScaleSummary.ts";
import { fakeSoakRun } from "./soakRun.fixture.ts";
import { soakChecks } from "./soakSummary.ts";

const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

function fleetRun(clients: number, holds: boolean): FleetRun {
  return {
    clients,
    pollMs: 500,
    date: "2026-12-07T04:00:00.000Z",
    holds,
    pollsPerSecond: { offered: clients * 2, completed: clients * 2 },
    polls: { failed: 0, timeout: holds ? 0 : 9, refused: 0 },
    missing: 0,
    latency: { windowP99MsAtMost: 500 },
    cpuMsPerPoll: { clients: 0.35, gateway: 0.33, consumers: 0.46 },
    overFloor: { clients: 2.2, gateway: 1.4, consumers: 4.2 },
    cpuPercentTotals: { all: 170 },
  };
}

describe("the README's figures", () => {
  it("are what bench/results/ holds (run the benchmark again, or updateReadmeFigures)", () => {
    expect(readme).toBe(withFigures(readme, renderFigures(readAllResults())));
  });

  it("give the latest run of each fleet size, with the cost beside the bare-HTTP floor", () => {
    const fleet = summarizeFleetRuns([fleetRun(500, true), fleetRun(1000, false)], {
      machine: { cpus: 2, cpuModel: "AMD EPYC", memoryGiB: 24 },
      node: "v24",
      consumers: 3,
      settleS: 15,
    });
    const figures = renderFigures({ fleet });
    expect(figures).toContain("Measured on 2 × AMD EPYC cores, 24 GiB.");
    expect(figures).toContain(
      "| 500 held (lab 170 % CPU); 1000 did not (2000 of 2000 polls/s, 9 failed or timed out) | CPU a poll at 500: fleet 2.2×, gateway 1.4×, consumers 4.2× a bare node:http hop | 2026-12-07 |",
    );
  });

  it("say so when no fleet held", () => {
    const fleet = summarizeFleetRuns([fleetRun(1000, false)], {
      machine: { cpus: 2, memoryGiB: 24 },
      node: "v24",
      consumers: 3,
      settleS: 15,
    });
    expect(renderFigures({ fleet })).toContain(
      "| 1000 did not (2000 of 2000 polls/s, 9 failed or timed out) |",
    );
  });

  it("give the soak's verdict, its faults, what was lost and the steepest judged memory growth", () => {
    const run = fakeSoakRun();
    const machine = { cpus: 2, cpuModel: "AMD EPYC", memoryGiB: 24 };
    const soak = { ...run, date: "2026-12-08T04:00:00.000Z", machine, checks: soakChecks(run) };
    expect(renderFigures({ soak: { ...soak, passed: true } })).toContain(
      "| soak: 30 min, a seeded fault every 30 s (seed 42) | 2 faults (1 refused by the guards), 2 of 2 with all three recovery times; missing 0; read-back 72,000 records, 0 lost; steepest memory growth 12.5 MiB/h (consumer-2, after GC) | flat: ≤ 64 MiB/h; every check passed | 2026-12-08 |",
    );
    const leaking = fakeSoakRun({
      memory: run.memory.map((m) => ({ ...m, mibPerHour: 100 })),
    });
    const failing = { ...soak, ...leaking, checks: soakChecks(leaking), passed: false };
    expect(renderFigures({ soak: failing })).toContain(
      "steepest memory growth 100 MiB/h (consumer-2, after GC) | flat: ≤ 64 MiB/h; failed: memory flat |",
    );
  });

  it("give each telemetry backend's hang beside the phase with every backend up", () => {
    const phase = (name: string, frozen: "jaeger" | null, p99: number, dropped: number) => ({
      name,
      frozen,
      seconds: 120,
      latencyP50Ms: 50,
      latencyP99Ms: p99,
      pollP50Ms: 5,
      pollP99Ms: 10,
      polls: 48_000,
      failedPolls: 0,
      spansDropped: dropped,
      spanQueueMax: 500,
      spanQueueCapacity: 2048,
      afterGcMib: {},
      frozenRestarts: 0,
    });
    const telemetry = {
      date: "2026-12-07T14:00:00.000Z",
      settings: { phaseS: 120, sampleS: 5, settleS: 60, lab: {} },
      phases: [
        phase("every backend up", null, 100, 0),
        phase("Jaeger frozen", "jaeger", 250, 53_246),
        phase("Jaeger back", null, 100, 105),
      ],
    };
    expect(
      renderFigures({ telemetry })
        .split("\n")
        .filter((line) => line.includes("frozen")),
    ).toEqual([
      "| Jaeger frozen 120 s, 200 clients: latency p99, failed polls, spans dropped | 250 ms; 0 of 48,000 failed; 53,246 dropped | every backend up: 100 ms; 0 failed; 0 dropped | 2026-12-07 |",
    ]);
  });

  it("refuses a README without the block", () => {
    expect(() => withFigures("# no block", "x")).toThrow(/figures:start/);
  });
});
