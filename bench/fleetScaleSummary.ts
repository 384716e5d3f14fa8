// What `npm run bench -- fleet` keeps of all its runs so far: the largest fleet that held at each
// poll interval, and a Markdown table of the latest run of each setting.

export type Hop = "clients" | "gateway" | "consumers";

/** The part of a run the summary reads; runs from older versions lack the optional fields. */
export interface FleetRun {
  clients: number;
  pollMs: number;
  longPollMs?: number;
  producers?: number;
  ratePerSecond?: number;
  date: string;
  holds: boolean;
  profiled?: boolean;
  /**
   * The nice value every thread of the components off the poll path (brokers, producers,
   * control, Prometheus, the supervisor) ran at, when the run lowered their priority.
   */
  othersNice?: number;
  pollsPerSecond: { offered: number; completed: number };
  polls: { failed: number; timeout: number; refused: number };
  missing: number;
  latency: { windowP99MsAtMost: number | null; roundTripP99MsAtMost?: number | null };
  cpuMsPerPoll?: Record<Hop, number | null>;
  overFloor?: Record<Hop, number | null>;
  cpuPercentTotals: { all: number };
  machineCpuPercent?: number;
  waiting?: FleetWaiting;
}

/** Where a poll can wait without costing CPU (runs since 2026-12-07 have it). */
export interface FleetWaiting {
  /** Share of the window in which some task on the machine waited for a core. */
  cpuPressurePercent: number | null;
  /** ms per second each hop's event loop was runnable without a core (consumers: the mean). */
  runQueueMsPerSecond: Record<Hop, number>;
  /** Each hop's event-loop delay over the window, the largest of the 5 s readings. */
  eventLoopDelayMs: Record<Hop, { p99: number | null; max: number | null }>;
}

export interface FleetResults<Run extends FleetRun = FleetRun> {
  benchmark: "fleet-scale";
  machine: { cpus: number; cpuModel?: string; memoryGiB: number };
  node: string;
  /** Before producers and rate were kept per run, the settings every run used. */
  lab?: { producers?: number; ratePerSecond?: number; consumers: number; settleS: number };
  runs: Run[];
  /** By poll interval (`500`) or poll interval and long-poll wait (`500+wait 2000`). */
  largestHoldingFleet: Record<string, number | null>;
  smallestHoldingPollMsFor1000: number | null;
}

/**
 * `500` for plain polling every 500 ms, `500+wait 2000` for long-polls of up to 2 s, and
 * `500, others nice 10` for a run that lowered the priority of everything off the poll path.
 */
export function pollingOf(run: Pick<FleetRun, "pollMs" | "longPollMs" | "othersNice">): string {
  const wait = run.longPollMs ?? 0;
  const polling = wait > 0 ? `${run.pollMs}+wait ${wait}` : String(run.pollMs);
  return run.othersNice === undefined ? polling : `${polling}, others nice ${run.othersNice}`;
}

/** A run of the lab as it ships: not profiled, no component's priority changed. */
export function asShipped(run: Pick<FleetRun, "profiled" | "othersNice">): boolean {
  return run.profiled !== true && run.othersNice === undefined;
}

export function summarizeFleetRuns<Run extends FleetRun>(
  runs: readonly Run[],
  context: { machine: FleetResults["machine"]; node: string; consumers: number; settleS: number },
): FleetResults<Run> {
  const sorted = [...runs].sort(
    (a, b) =>
      a.pollMs - b.pollMs ||
      (a.longPollMs ?? 0) - (b.longPollMs ?? 0) ||
      a.clients - b.clients ||
      a.date.localeCompare(b.date),
  );
  // A profiled run costs more at every hop, and one that changed priorities is not the lab as it
  // ships: they show where time goes, never what holds.
  const counted = sorted.filter((r) => r.holds && asShipped(r));
  const largestHoldingFleet: Record<string, number | null> = {};
  for (const polling of new Set(sorted.filter(asShipped).map(pollingOf))) {
    const holding = counted.filter((r) => pollingOf(r) === polling).map((r) => r.clients);
    largestHoldingFleet[polling] = holding.length > 0 ? Math.max(...holding) : null;
  }
  const pollMsFor1000 = counted
    .filter((r) => r.clients === 1000 && (r.longPollMs ?? 0) === 0)
    .map((r) => r.pollMs);
  return {
    benchmark: "fleet-scale",
    machine: context.machine,
    node: context.node,
    lab: { consumers: context.consumers, settleS: context.settleS },
    runs: sorted,
    largestHoldingFleet,
    smallestHoldingPollMsFor1000: pollMsFor1000.length > 0 ? Math.min(...pollMsFor1000) : null,
  };
}

const cell = (value: number | null | undefined): string =>
  value === null || value === undefined ? "–" : String(value);

/** The latest unprofiled run of each setting, as a Markdown table. */
export function fleetRunsTable(runs: readonly FleetRun[]): string {
  const latest = new Map<string, FleetRun>();
  for (const run of runs) {
    if (run.profiled === true) continue;
    const key = `${run.clients}@${pollingOf(run)}/${cell(run.producers)}×${cell(run.ratePerSecond)}`;
    const seen = latest.get(key);
    if (seen === undefined || seen.date < run.date) latest.set(key, run);
  }
  const header = [
    "| date | clients | poll ms | producers × rate/s | polls/s offered → done | failed + timed out | missing | end-to-end p99 ms ≤ | round-trip p99 ms ≤ | CPU ms a poll: fleet / gateway / consumers | × bare-HTTP floor | lab CPU % | machine CPU % | held |",
    "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  const rows = [...latest.values()].map((r) => {
    const perPoll = r.cpuMsPerPoll;
    const floor = r.overFloor;
    return [
      r.date.slice(0, 10),
      r.clients,
      pollingOf(r),
      `${cell(r.producers)} × ${cell(r.ratePerSecond)}`,
      `${r.pollsPerSecond.offered} → ${r.pollsPerSecond.completed}`,
      r.polls.failed + r.polls.refused + r.polls.timeout,
      r.missing,
      cell(r.latency.windowP99MsAtMost),
      cell(r.latency.roundTripP99MsAtMost),
      perPoll === undefined
        ? "–"
        : `${cell(perPoll.clients)} / ${cell(perPoll.gateway)} / ${cell(perPoll.consumers)}`,
      floor === undefined
        ? "–"
        : `${cell(floor.clients)} / ${cell(floor.gateway)} / ${cell(floor.consumers)}`,
      r.cpuPercentTotals.all,
      cell(r.machineCpuPercent),
      r.holds ? "yes" : "no",
    ].join(" | ");
  });
  return `${[...header, ...rows.map((row) => `| ${row} |`)].join("\n")}\n${waitingTable([...latest.values()])}`;
}

/** For the runs that measured it, where a poll waited: the run queue and each event loop. */
function waitingTable(runs: readonly FleetRun[]): string {
  const rows = runs.flatMap((r) => {
    const w = r.waiting;
    if (w === undefined) return [];
    const hops = (of: (hop: Hop) => string) =>
      `${of("clients")} / ${of("gateway")} / ${of("consumers")}`;
    return [
      [
        r.date.slice(0, 10),
        r.clients,
        pollingOf(r),
        cell(r.latency.roundTripP99MsAtMost),
        cell(w.cpuPressurePercent),
        hops((hop) => String(w.runQueueMsPerSecond[hop])),
        hops((hop) => cell(w.eventLoopDelayMs[hop].p99)),
        hops((hop) => cell(w.eventLoopDelayMs[hop].max)),
      ].join(" | "),
    ];
  });
  if (rows.length === 0) return "";
  return [
    "",
    "Where a poll waits: the share of the window in which some task waited for a core (the kernel's CPU pressure), each hop's event loop runnable without a core (ms a second, from schedstat), and each hop's event-loop delay (prom-client, the largest 5 s reading).",
    "",
    "| date | clients | poll ms | round-trip p99 ms ≤ | CPU pressure % | run-queue wait ms/s: fleet / gateway / consumer | event-loop delay p99 ms | event-loop delay max ms |",
    "|---|--:|---|--:|--:|--:|--:|--:|",
    ...rows.map((row) => `| ${row} |`),
    "",
  ].join("\n");
}
