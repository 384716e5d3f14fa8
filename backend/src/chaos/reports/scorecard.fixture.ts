import type { Fault } from "../../contract/fault.ts";
import type { Scorecard, SeriesPoint } from "../../contract/scorecard.ts";

/** 2025-06-15 15:06:40Z: a round start, so that offsets in the reports read easily. */
export const RUN_START = 1_750_000_000_000;
const STEADY_MS = 20_000;
const RUN_MS = 90_000;

/** A broker hard kill at +20 s: leadership moves, clients see a tail of stale reads. */
function brokerFault(overrides: Partial<Fault["report"]> = {}): Fault {
  const t0 = RUN_START + STEADY_MS + 100;
  return {
    id: "20250615T150700Z-kafka-2-100",
    t0,
    target: "kafka-2",
    kind: "broker",
    action: "kill",
    mode: "hard",
    actor: "scenario:run-20250615T150640Z-1",
    selector: "leader-of:0",
    leads: [0, 2],
    floor: { ms: 9000, because: "the controller fences it (broker.session.timeout.ms 9 s)" },
    report: {
      status: "complete",
      podRecoveryMs: 17_600,
      clientRecovery: {
        clients: 20,
        pending: 0,
        neverNoticed: 3,
        p50Ms: 950,
        p99Ms: 9_400,
        maxMs: 9_800,
      },
      lagRecoveryMs: 24_700,
      totals: { missing: 0, duplicates: 0, staleReads: 374, failedPolls: 12, fellBehind: 0 },
      windowEnd: t0 + 30_000,
      timedOut: false,
      ...overrides,
    },
  };
}

/** A point a second: latency rises and stale reads pile up after the kill, lag spikes. */
function series(missingAfterKill: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let s = 1; s <= RUN_MS / 1000; s += 1) {
    const sinceKill = s - STEADY_MS / 1000;
    const hit = sinceKill >= 0 && sinceKill < 25;
    points.push({
      at: RUN_START + s * 1000,
      missing: sinceKill >= 2 ? missingAfterKill : 0,
      staleReads: sinceKill < 0 ? 0 : Math.min(374, sinceKill * 15),
      failedPolls: sinceKill < 0 ? 0 : Math.min(12, sinceKill),
      stalledClients: hit ? 4 : 0,
      latencyP50Ms: hit ? 40 : 12,
      latencyP99Ms: hit ? 900 : 35,
      // Kafka's view was unavailable for a moment right after the kill: a gap in the chart.
      lag: sinceKill === 1 ? null : hit ? 400 - sinceKill * 10 : 5,
    });
  }
  return points;
}

/** broker-hard-kill: all four SLOs hold. A fresh object on each call, for tests to adjust. */
export function passingScorecard(): Scorecard {
  const fault = brokerFault();
  return {
    schemaVersion: 1,
    run: {
      id: "run-20250615T150640Z-1",
      scenario: "broker-hard-kill",
      description: "SIGKILL the leader of partition 0 while clients poll; nothing may go missing.",
      seed: 42,
      actor: "cli",
      startedAt: RUN_START,
      stepsStartedAt: RUN_START + STEADY_MS,
      endedAt: RUN_START + RUN_MS,
      status: "passed",
    },
    lab: {
      mode: "local",
      versions: { blackout: "0.1.0", kafka: "4.4.0", node: "v24.21.0" },
      configHash: "3f1c9a0e5b7d2468ace0fdb97531eca86420bdf13579ace2468bdf0ca97531e",
      config: { CONSUMERS: 3, CLIENTS: 20, SESSION_TIMEOUT_MS: 30_000, CHAOS: true },
    },
    steps: [
      {
        index: 0,
        description: "kill leader-of:0 (hard)",
        startedAt: RUN_START + STEADY_MS,
        endedAt: RUN_START + STEADY_MS + 150,
        outcome: "done",
        faultId: fault.id,
        victim: "kafka-2",
      },
      {
        index: 1,
        description: "wait 45 s",
        startedAt: RUN_START + STEADY_MS + 150,
        endedAt: RUN_START + STEADY_MS + 45_150,
        outcome: "done",
      },
    ],
    faults: [fault],
    totals: { missing: 0, duplicates: 0, staleReads: 374, failedPolls: 12, fellBehind: 0 },
    slos: [
      { name: "missing", bound: 0, actual: 0, unit: "records", passed: true },
      { name: "duplicates", bound: 0, actual: 0, unit: "records", passed: true },
      { name: "clientRecoveryP99", bound: 12_000, actual: 9_400, unit: "ms", passed: true },
      { name: "lagRecovery", bound: 30_000, actual: 24_700, unit: "ms", passed: true },
    ],
    series: series(0),
  };
}

/** The same scenario where 3 records went missing and clients took 24.9 s (p99) to recover. */
export function failingScorecard(): Scorecard {
  const passing = passingScorecard();
  const totals = { missing: 3, duplicates: 0, staleReads: 374, failedPolls: 12, fellBehind: 0 };
  const fault = brokerFault({
    clientRecovery: {
      clients: 20,
      pending: 1,
      neverNoticed: 0,
      p50Ms: 1_200,
      p99Ms: 24_900,
      maxMs: 25_100,
    },
    totals,
  });
  return {
    ...passing,
    run: { ...passing.run, status: "failed" },
    faults: [fault],
    totals,
    slos: [
      { name: "missing", bound: 0, actual: 3, unit: "records", passed: false },
      { name: "duplicates", bound: 0, actual: 0, unit: "records", passed: true },
      { name: "clientRecoveryP99", bound: 12_000, actual: 24_900, unit: "ms", passed: false },
      { name: "lagRecovery", bound: 30_000, actual: 24_700, unit: "ms", passed: true },
    ],
    series: series(3),
  };
}

/** Stopped by `abortWhen: { missing: ">0" }` right after the kill; the wait was skipped. */
export function abortedScorecard(): Scorecard {
  const failing = failingScorecard();
  const [kill, wait] = failing.steps;
  if (kill === undefined || wait === undefined) throw new Error("fixture has two steps");
  return {
    ...failing,
    run: {
      ...failing.run,
      status: "aborted",
      abortReason: "abortWhen missing > 0: missing is 3",
      endedAt: RUN_START + STEADY_MS + 4_000,
    },
    steps: [kill, { ...wait, outcome: "skipped", endedAt: wait.startedAt }],
    faults: failing.faults.map((f) => ({
      ...f,
      report: { ...f.report, status: "open", lagRecoveryMs: null, clientRecovery: null },
    })),
    // The recovery times were not known yet: such an SLO fails as not measured.
    slos: failing.slos.map((slo) =>
      slo.unit === "ms" ? { ...slo, actual: null, passed: false } : slo,
    ),
    series: failing.series.filter((p) => p.at <= RUN_START + STEADY_MS + 4_000),
  };
}
