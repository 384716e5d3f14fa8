// From what a soak measured to its verdict: the checks it must pass and the table it publishes.
// Pure, so that what makes a soak pass or fail is tested on its own.
import type { Fault } from "../backend/src/contract/fault.ts";
import type { ClientSummary } from "../backend/src/contract/fleet.ts";
import type { PartitionReadBack } from "../backend/src/kafka/consoleReadBack.ts";
import type { ProducerSequence } from "../backend/src/kafka/sequenceHoles.ts";
import { memorySlope, type MemorySample } from "./memorySlope.ts";
import type { FreezeRange } from "./soakFaults.ts";

export interface SoakSettings {
  readonly minutes: number;
  readonly seed: number;
  /** A fault every this many seconds. */
  readonly everyS: number;
  /** After the lab is whole, before the first fault: control's steady state is the minute before t0. */
  readonly settleS: number;
  readonly freezeS: FreezeRange;
  /** How often each service's memory is read. */
  readonly sampleS: number;
  /** Left out of each incarnation's memory fit (memorySlope.ts). */
  readonly warmupS: number;
  /**
   * A process is fitted only when it lived at least this long past its warm-up, and a service is
   * judged only when one of its processes was: over less, the garbage collector's sawtooth
   * outweighs any slope but a steep one.
   */
  readonly minFitS: number;
  /** The steepest memory growth still called flat. */
  readonly maxMibPerHour: number;
  /** The lab's settings beyond its defaults (`CLIENTS`, `TUNED`, …). */
  readonly lab: Readonly<Record<string, string>>;
}

/** What `npm run soak` runs unless told otherwise, and why. */
export const SOAK_DEFAULTS = {
  everyS: 30,
  /** Control's steady state for a fault's client recovery is the minute before its t0. */
  settleS: 60,
  freezeS: { min: 5, max: 20 },
  sampleS: 5,
  /** A restarted Node service reaches its working set within its first minute or two. */
  warmupS: 120,
  minFitS: 600,
  /**
   * Above the most the consumers' view may grow by design at the lab's default rate: 2 producers
   * × 20 records/s, 111 B a record on the heap and up to 430 B of resident memory (replay
   * benchmark), 15 to 59 MiB/h until the window is full. 64 MiB/h is 1.5 GiB a day.
   */
  maxMibPerHour: 64,
} as const;

/** One tick of the schedule: what was asked of control and what it answered. */
export interface SoakAttempt {
  readonly at: number;
  readonly label: string;
  /** Refused: a guard's 409, which is the guards doing their job, not an error. */
  readonly outcome: "injected" | "refused" | "error";
  readonly faultId?: string;
  readonly reason?: string;
}

/** One service's readings: resident memory always; for a Node service, also what its full collections left alive. */
export interface ServiceSamples {
  readonly resident: readonly MemorySample[];
  /** `nodejs_memory_after_gc_bytes` (heap and external) from the service's /metrics. */
  readonly afterGc: readonly MemorySample[];
}

/** A service's memory over the run. */
export interface ServiceMemory {
  readonly service: string;
  /**
   * What the slope is of: `after GC` for a Node service (a leak raises what each full collection
   * leaves; its resident memory also follows V8's heap sizing), `resident` for the others.
   */
  readonly measure: "after GC" | "resident";
  readonly mibPerHour: number | null;
  /** The resident memory's slope, reported beside the judged one. */
  readonly residentMibPerHour: number | null;
  /** Why the slope is not held against the threshold; absent when it is. */
  readonly notJudged?: string;
  readonly samples: number;
  readonly incarnations: number;
  /** Incarnations that lived long enough past warm-up to be fitted. */
  readonly fitted: number;
  readonly spanMs: number;
  /** Resident memory: the first, last and highest reading. */
  readonly firstMib: number | null;
  readonly lastMib: number | null;
  readonly maxMib: number | null;
  /** The highest reading after a full collection; null for a service that has none. */
  readonly maxAfterGcMib: number | null;
}

/** Everything a soak measured; the checks and the table follow from it. */
export interface SoakRun {
  readonly settings: SoakSettings;
  /** The first fault's tick and the end of the final wait (ms epoch). */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly attempts: readonly SoakAttempt[];
  /**
   * Targets no fault was aimed at: one of each kind, so that each kind has a process that lived
   * through the whole run, under the load its faulted peers pushed onto it, for its memory to be
   * judged (a faulted one lives minutes).
   */
  readonly spared: readonly string[];
  /** Every fault on control's timeline from the first tick on: injected or observed. */
  readonly faults: readonly Fault[];
  /** The fleet's ledgers added up, at the end. */
  readonly ledger: ClientSummary;
  /** Restarts of the components that are not fault targets (fleet, control, gateway, …). */
  readonly serviceRestarts: Readonly<Record<string, number>>;
  readonly readBack: {
    readonly complete: boolean;
    readonly partitions: readonly PartitionReadBack[];
    readonly records: number;
    readonly undecodable: number;
    readonly producers: readonly ProducerSequence[];
  };
  readonly memory: readonly ServiceMemory[];
}

export interface SoakCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const MIB = 2 ** 20;
const mib = (bytes: number | undefined) =>
  bytes === undefined ? null : Math.round((bytes / MIB) * 10) / 10;

/**
 * The telemetry backends' memory grows by design for longer than a soak: Prometheus keeps its
 * head block (every sample of the last 2 h) in memory until it compacts it, Jaeger keeps up to
 * 20 000 traces (jaegerConfig.ts). Their slopes are reported, not judged.
 */
const GROWS_BY_DESIGN: Readonly<Record<string, string>> = {
  prometheus: "its head block holds 2 h of samples",
  jaeger: "it keeps up to 20 000 traces",
};

const tenth = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const highest = (readings: readonly MemorySample[]) =>
  mib(readings.length === 0 ? undefined : Math.max(...readings.map((r) => r.bytes)));

/** Each service's slope and its first, last and highest reading, in MiB. */
export function serviceMemory(
  samples: ReadonlyMap<string, ServiceSamples>,
  settings: Pick<SoakSettings, "warmupS" | "minFitS">,
): ServiceMemory[] {
  const options = { warmupMs: settings.warmupS * 1000, minLifeMs: settings.minFitS * 1000 };
  return [...samples].map(([service, { resident, afterGc }]) => {
    const measure = afterGc.length > 0 ? "after GC" : "resident";
    const slope = memorySlope(measure === "after GC" ? afterGc : resident, options);
    const notJudged =
      GROWS_BY_DESIGN[service] ??
      (slope.fitted === 0
        ? `no process lived ${settings.minFitS} s past its warm-up (longest ${Math.round(slope.longestMs / 1000)} s)`
        : undefined);
    return {
      service,
      measure,
      mibPerHour: tenth(slope.mibPerHour),
      residentMibPerHour: tenth(memorySlope(resident, options).mibPerHour),
      ...(notJudged === undefined ? {} : { notJudged }),
      samples: slope.samples,
      incarnations: slope.incarnations,
      fitted: slope.fitted,
      spanMs: slope.spanMs,
      firstMib: mib(resident[0]?.bytes),
      lastMib: mib(resident.at(-1)?.bytes),
      maxMib: highest(resident),
      maxAfterGcMib: highest(afterGc),
    };
  });
}

/** All three recovery times known: the report completed within its window. */
export function recovered(fault: Fault): boolean {
  const { report } = fault;
  return (
    report.status === "complete" &&
    !report.timedOut &&
    report.podRecoveryMs !== null &&
    report.lagRecoveryMs !== null &&
    report.clientRecovery !== null &&
    report.clientRecovery.pending === 0
  );
}

const list = (names: readonly string[]) =>
  names.length <= 5
    ? names.join(", ")
    : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;

/** What a soak must show (issue 18), each with what it found. */
export function soakChecks(run: SoakRun): SoakCheck[] {
  const { ledger, readBack, settings } = run;
  const injected = run.attempts.filter((a) => a.outcome === "injected").length;
  const refused = run.attempts.filter((a) => a.outcome === "refused").length;
  const errors = run.attempts.filter((a) => a.outcome === "error");
  const external = run.faults.filter((f) => f.actor === "external");
  const restarted = Object.entries(run.serviceRestarts).filter(([, n]) => n > 0);
  const unrecovered = run.faults.filter((f) => !recovered(f));
  const holes = readBack.producers.filter((p) => p.missing > 0);
  const judged = run.memory.filter((m) => m.notJudged === undefined);
  const steep = judged.filter(
    (m) => m.mibPerHour !== null && m.mibPerHour > settings.maxMibPerHour,
  );
  const steepest = judged.toSorted((a, b) => (b.mibPerHour ?? 0) - (a.mibPerHour ?? 0))[0];
  const notJudged = run.memory.filter((m) => m.notJudged !== undefined);
  // A run long enough to judge must judge each kind through its spared process.
  const longEnough = settings.minutes * 60 >= settings.warmupS + settings.minFitS;
  const unjudgedSpared = longEnough
    ? run.spared.filter((name) => {
        const memory = run.memory.find((m) => m.service === name);
        return memory === undefined || memory.notJudged !== undefined;
      })
    : [];
  return [
    {
      name: "faults",
      ok: injected > 0 && errors.length === 0,
      detail: `${injected} injected, ${refused} refused by the guards, ${errors.length} failed${errors.length > 0 ? ` (${errors[0]?.label}: ${errors[0]?.reason})` : ""}`,
    },
    {
      name: "nothing crashed",
      ok: external.length === 0 && restarted.length === 0,
      detail:
        external.length === 0 && restarted.length === 0
          ? "no termination but the soak's, no service restarted"
          : [
              ...external.map((f) => `${f.target} terminated (${f.detail ?? "observed"})`),
              ...restarted.map(([name, n]) => `${name} restarted ${n} time${n === 1 ? "" : "s"}`),
            ].join("; "),
    },
    {
      name: "three recovery times",
      ok: unrecovered.length === 0,
      detail:
        unrecovered.length === 0
          ? `all ${run.faults.length} faults recovered: pod, clients and lag`
          : `${unrecovered.length} of ${run.faults.length} without all three: ${list(
              unrecovered.map(
                (f) => `${f.id} (${f.report.status === "open" ? "still open" : "timed out"})`,
              ),
            )}`,
    },
    {
      name: "ledger",
      ok: ledger.missing === 0 && (run.serviceRestarts["clients"] ?? 0) === 0,
      detail: `${ledger.missing} missing across ${ledger.clients} clients (${ledger.duplicates} duplicates, ${ledger.staleReads} stale reads, ${ledger.failedPolls} failed polls, ${ledger.fellBehind} fell behind)`,
    },
    {
      name: "read-back",
      ok: readBack.complete && holes.length === 0 && readBack.producers.length > 0,
      detail: `${readBack.records} records read with Kafka's console consumer${readBack.complete ? "" : " (incomplete: a partition was not read to its end)"}; ${
        holes.length === 0
          ? "no hole"
          : list(
              holes.map(
                (p) =>
                  `${p.producer} misses ${p.missing} (${p.holes
                    .slice(0, 3)
                    .map((h) => (h.from === h.to ? h.from : `${h.from}–${h.to}`))
                    .join(", ")})`,
              ),
            )
      } up to ${readBack.producers.map((p) => `${p.producer} ${p.lastAcknowledged}`).join(", ")}; ${readBack.producers.reduce((sum, p) => sum + p.duplicates, 0)} duplicates in Kafka`,
    },
    {
      name: "memory flat",
      ok: steep.length === 0 && unjudgedSpared.length === 0,
      detail: [
        ...(unjudgedSpared.length === 0 ? [] : [`spared but not judged: ${list(unjudgedSpared)}`]),
        steep.length > 0
          ? `above ${settings.maxMibPerHour} MiB/h: ${list(steep.map((m) => `${m.service} ${m.mibPerHour} MiB/h ${m.measure}`))}`
          : steepest === undefined
            ? "no service ran long enough to judge"
            : `${judged.length} service${judged.length === 1 ? "" : "s"} ≤ ${settings.maxMibPerHour} MiB/h (steepest: ${steepest.service} ${steepest.mibPerHour} MiB/h ${steepest.measure})`,
        ...(notJudged.length === 0
          ? []
          : [`not judged: ${list(notJudged.map((m) => `${m.service} (${m.notJudged})`))}`]),
      ].join("; "),
    },
  ];
}

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : (ms / 1000).toFixed(1);

/** The faults' table: what was done, when, and the three recovery times. */
export function faultsTable(run: SoakRun): string {
  const lines = [
    "| t (min) | fault | actor | pod s | clients p99 s | lag s | missing | report |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const fault of run.faults) {
    const what =
      fault.action === "kill"
        ? `${fault.mode ?? "graceful"} kill of ${fault.target}`
        : `freeze ${fault.target} ${fault.seconds ?? "?"} s`;
    const { report } = fault;
    const status = recovered(fault) ? "complete" : report.status === "open" ? "open" : "timed out";
    lines.push(
      `| ${((fault.t0 - run.startedAt) / 60_000).toFixed(1)} | ${what} | ${fault.actor} | ${seconds(report.podRecoveryMs)} | ${seconds(report.clientRecovery?.p99Ms)} | ${seconds(report.lagRecoveryMs)} | ${report.totals?.missing ?? "—"} | ${status} |`,
    );
  }
  return lines.join("\n");
}

/** The memory table: one row per service. */
export function memoryTable(run: SoakRun): string {
  const value = (x: number | null) => (x === null ? "—" : String(x));
  return [
    "| service | slope of | MiB/h | resident MiB/h | resident first / last / max MiB | max after GC MiB | processes (fitted) | fitted | judged |",
    "|---|---|---|---|---|---|---|---|---|",
    ...run.memory.map(
      (m) =>
        `| ${m.service} | ${m.measure} | ${value(m.mibPerHour)} | ${value(m.residentMibPerHour)} | ${value(m.firstMib)} / ${value(m.lastMib)} / ${value(m.maxMib)} | ${value(m.maxAfterGcMib)} | ${m.incarnations} (${m.fitted}) | ${Math.round(m.spanMs / 1000)} s | ${m.notJudged === undefined ? "yes" : `no: ${m.notJudged}`} |`,
    ),
  ].join("\n");
}

/** The checks as a table: what passed, what failed and why. */
export function checksTable(checks: readonly SoakCheck[]): string {
  return [
    "| check | result | found |",
    "|---|---|---|",
    ...checks.map((c) => `| ${c.name} | ${c.ok ? "pass" : "**FAIL**"} | ${c.detail} |`),
  ].join("\n");
}
