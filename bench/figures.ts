// The README's figures: one table rendered from the result files under bench/results/, so that
// the README says what the latest runs measured and nothing else. Each benchmark refreshes it
// when it writes its results there; `readmeFigures.test.ts` fails when the two disagree.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_CLIENTS } from "../backend/src/lab/labConfig.ts";
import { asShipped, type FleetResults } from "./fleetScaleSummary.ts";
import { recovered, type SoakCheck, type SoakRun } from "./soakSummary.ts";
import type { TelemetryOutageResults } from "./telemetryOutageRun.ts";
import type { Spread } from "./spread.ts";

export const resultsDir = join(import.meta.dirname, "results");
const readmeFile = join(import.meta.dirname, "..", "README.md");

interface Machine {
  cpus: number;
  cpuModel?: string;
  memoryGiB: number;
}

interface ClusterStart {
  date: string;
  machine: Machine;
  medianMs: { cold: number; warm: number };
  rounds: unknown[];
}

interface FailoverResults {
  date: string;
  machine: Machine;
  reps: number;
  lab: { clients?: number; pollMs?: number };
  rows: {
    settings: string;
    fault: string;
    clientP99Ms: Spread;
    lagMs: Spread;
    floorMs: number | null;
    missing: number;
  }[];
}

interface ThroughputResults {
  date: string;
  machine: Machine;
  summary: {
    endToEndPerSecond: number;
    throughConsumersPerSecond: number | null;
    kafkaProducerPerSecond: number | null;
    oursOverKafkaProducer: number | null;
  };
}

interface ReplayResults {
  date: string;
  machine: Machine;
  summary: {
    records: number;
    runs: number;
    readyMs: Spread;
    recordsPerSecond: { reading: number };
    memory: { heapBytesPerRecord: number };
    kafka: { wallMs: Spread; fetchRecordsPerSecond: number };
  };
}

/** What the figures read of `npm run soak`'s result file. */
export type SoakResults = Pick<
  SoakRun,
  "settings" | "attempts" | "faults" | "ledger" | "readBack" | "memory"
> & { date: string; machine: Machine; checks: SoakCheck[]; passed: boolean };

/** Every result file the figures read, each absent until its benchmark has run. */
export interface AllResults {
  cluster?: ClusterStart;
  fleet?: FleetResults;
  failover?: FailoverResults;
  /** `failover-<N>-clients/`: the same faults under a larger fleet, smallest fleet first. */
  failoverUnderLoad?: FailoverResults[];
  throughput?: ThroughputResults;
  replay?: ReplayResults;
  soak?: SoakResults;
  telemetry?: TelemetryResults;
}

/** What the figures read of `npm run bench -- telemetry`'s result file. */
export type TelemetryResults = Pick<TelemetryOutageResults, "date" | "settings" | "phases">;

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

export function readAllResults(dir = resultsDir): AllResults {
  return {
    cluster: readJson(join(dir, "cluster-start.json")),
    fleet: readJson(join(dir, "fleet-scale.json")),
    throughput: readJson(join(dir, "throughput.json")),
    replay: readJson(join(dir, "replay.json")),
    soak: readJson(join(dir, "soak.json")),
    telemetry: readJson(join(dir, "telemetry-outage.json")),
    failover: readJson(join(dir, "failover.json")),
    failoverUnderLoad: readdirSync(dir)
      .map((name) => /^failover-(\d+)-clients$/.exec(name))
      .filter((match) => match !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .flatMap((match) => readJson<FailoverResults>(join(dir, match[0], "failover.json")) ?? []),
  };
}

const s = (ms: number | null): string => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);
const day = (iso: string): string => iso.slice(0, 10);

type Row = [figure: string, measured: string, reference: string, date: string];

function clusterRows(cluster: ClusterStart): Row[] {
  return [
    [
      "3-broker cluster start (median)",
      `${s(cluster.medianMs.cold)} cold, ${s(cluster.medianMs.warm)} warm`,
      "—",
      day(cluster.date),
    ],
  ];
}

/** The latest run of each fleet size polling every 500 ms, among runs measured with CPU a poll. */
function fleetRows(fleet: FleetResults): Row[] {
  const latest = new Map<number, FleetResults["runs"][number]>();
  for (const run of fleet.runs) {
    if (run.pollMs !== 500 || (run.longPollMs ?? 0) !== 0 || !asShipped(run)) continue;
    if (run.cpuMsPerPoll === undefined) continue;
    const seen = latest.get(run.clients);
    if (seen === undefined || seen.date < run.date) latest.set(run.clients, run);
  }
  const runs = [...latest.values()].sort((a, b) => a.clients - b.clients);
  if (runs.length === 0) return [];
  const outcome = runs.map((r) => {
    const failed = r.polls.failed + r.polls.refused + r.polls.timeout;
    return r.holds
      ? `${r.clients} held (lab ${r.cpuPercentTotals.all} % CPU)`
      : `${r.clients} did not (${r.pollsPerSecond.completed} of ${r.pollsPerSecond.offered} polls/s, ${failed} failed or timed out)`;
  });
  const largest = runs.filter((r) => r.holds).at(-1) ?? runs[0];
  const floor = largest?.overFloor;
  return [
    [
      "simulated clients polling every 500 ms, whole lab on the machine (latest run of each size)",
      outcome.join("; "),
      floor === undefined || largest === undefined
        ? "—"
        : `CPU a poll at ${largest.clients}: fleet ${floor.clients}×, gateway ${floor.gateway}×, consumers ${floor.consumers}× a bare node:http hop`,
      day(
        runs
          .map((r) => r.date)
          .sort()
          .at(-1) ?? "",
      ),
    ],
  ];
}

function failoverRows(failover: FailoverResults, label: string): Row[] {
  return failover.rows
    .filter((r) => r.fault === "consumer hard kill" || r.fault === "broker hard kill (a leader)")
    .map((r) => [
      `${r.fault}, ${r.settings} settings${label}: client recovery p99 (lag)`,
      `${s(r.clientP99Ms.p50)} p50, ${s(r.clientP99Ms.max)} max of ${failover.reps} (lag ${s(r.lagMs.p50)}); missing ${r.missing}`,
      r.floorMs === null ? "—" : `Kafka's floor ${s(r.floorMs)}`,
      day(failover.date),
    ]);
}

const perSecond = (value: number | null): string =>
  value === null ? "—" : `${Math.round(value).toLocaleString("en-US")}/s`;

function throughputRows(throughput: ThroughputResults): Row[] {
  const { summary } = throughput;
  const kafka = `Kafka's ProducerPerformance ${perSecond(summary.kafkaProducerPerSecond)}`;
  const ratio = (ours: number | null): string =>
    ours === null || summary.kafkaProducerPerSecond === null
      ? ""
      : ` (${(ours / summary.kafkaProducerPerSecond).toFixed(2)}×)`;
  return [
    [
      "records/s produced → seen by every client, p99 ≤ 1 s",
      summary.endToEndPerSecond === 0
        ? "no rate held"
        : `${perSecond(summary.endToEndPerSecond)}${ratio(summary.endToEndPerSecond)}`,
      kafka,
      day(throughput.date),
    ],
    [
      "records/s through Kafka and all 3 consumers (the fleet aside)",
      `${perSecond(summary.throughConsumersPerSecond)}${ratio(summary.throughConsumersPerSecond)}`,
      kafka,
      day(throughput.date),
    ],
  ];
}

function replayRows(replay: ReplayResults): Row[] {
  const { summary } = replay;
  const records = summary.records.toLocaleString("en-US");
  return [
    [
      `a new consumer rebuilds a view of ${records} records: spawn → ready`,
      `${s(summary.readyMs.p50)} p50, ${s(summary.readyMs.max)} max of ${summary.runs}; reading ${perSecond(summary.recordsPerSecond.reading)}, ${summary.memory.heapBytesPerRecord} B a record on the heap`,
      `Kafka's ConsumerPerformance ${s(summary.kafka.wallMs.p50)} (JVM start to exit), fetching ${perSecond(summary.kafka.fetchRecordsPerSecond)}`,
      day(replay.date),
    ],
  ];
}

function soakRows(soak: SoakResults): Row[] {
  const { settings, ledger, readBack } = soak;
  const injected = soak.attempts.filter((a) => a.outcome === "injected").length;
  const refused = soak.attempts.filter((a) => a.outcome === "refused").length;
  const holes = readBack.producers.reduce((sum, p) => sum + p.missing, 0);
  const steepest = soak.memory
    .filter((m) => m.mibPerHour !== null && m.notJudged === undefined)
    .sort((a, b) => (b.mibPerHour ?? 0) - (a.mibPerHour ?? 0))[0];
  const failed = soak.checks.filter((c) => !c.ok).map((c) => c.name);
  return [
    [
      `soak: ${settings.minutes} min, a seeded fault every ${settings.everyS} s (seed ${settings.seed})`,
      `${injected} faults (${refused} refused by the guards), ${soak.faults.filter(recovered).length} of ${soak.faults.length} with all three recovery times; missing ${ledger.missing}; read-back ${readBack.records.toLocaleString("en-US")} records, ${holes} lost; steepest memory growth ${steepest === undefined ? "—" : `${steepest.mibPerHour} MiB/h (${steepest.service}, ${steepest.measure})`}`,
      `flat: ≤ ${settings.maxMibPerHour} MiB/h; ${failed.length === 0 ? "every check passed" : `failed: ${failed.join(", ")}`}`,
      day(soak.date),
    ],
  ];
}

/** Each phase with a backend frozen, against the first phase (every backend up). */
function telemetryRows(telemetry: TelemetryResults): Row[] {
  const [first] = telemetry.phases;
  if (first === undefined) return [];
  const clients = telemetry.settings.lab["CLIENTS"] ?? String(DEFAULT_CLIENTS);
  return telemetry.phases
    .filter((p) => p.frozen !== null)
    .map((p) => [
      `${p.name} ${telemetry.settings.phaseS} s, ${clients} clients: latency p99, failed polls, spans dropped`,
      `${p.latencyP99Ms ?? "—"} ms; ${p.failedPolls} of ${p.polls.toLocaleString("en-US")} failed; ${p.spansDropped.toLocaleString("en-US")} dropped`,
      `every backend up: ${first.latencyP99Ms ?? "—"} ms; ${first.failedPolls} failed; ${first.spansDropped.toLocaleString("en-US")} dropped`,
      day(telemetry.date),
    ]);
}

/** The README's figures table, with the machine the latest results ran on. */
export function renderFigures(results: AllResults): string {
  const rows: Row[] = [
    ...(results.cluster === undefined ? [] : clusterRows(results.cluster)),
    ...(results.fleet === undefined ? [] : fleetRows(results.fleet)),
    ...(results.throughput === undefined ? [] : throughputRows(results.throughput)),
    ...(results.replay === undefined ? [] : replayRows(results.replay)),
    ...(results.failover === undefined ? [] : failoverRows(results.failover, "")),
    ...(results.failoverUnderLoad ?? []).flatMap((underLoad) =>
      failoverRows(underLoad, `, ${underLoad.lab.clients ?? "?"} clients`),
    ),
    ...(results.soak === undefined ? [] : soakRows(results.soak)),
    ...(results.telemetry === undefined ? [] : telemetryRows(results.telemetry)),
  ];
  const machine = results.failover?.machine ?? results.fleet?.machine ?? results.cluster?.machine;
  const where =
    machine === undefined
      ? ""
      : `Measured on ${machine.cpus} × ${machine.cpuModel ?? "CPU"} cores, ${machine.memoryGiB} GiB. `;
  const table = [
    "| figure | measured | reference, same run | date |",
    "|---|---|---|---|",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  return `${where}From [bench/results/](bench/results/); how each is measured: [docs/benchmarks.md](docs/benchmarks.md).\n\n<!-- prettier-ignore-start -->\n${table.join("\n")}\n<!-- prettier-ignore-end -->\n`;
}

/** `text` with what lies between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function withBlock(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(`<!-- ${name}:end -->`);
  if (from === -1 || to < from) throw new Error(`no ${start} … <!-- ${name}:end --> block`);
  return `${text.slice(0, from + start.length)}\n${content}${text.slice(to)}`;
}

/** The README's text with its figures block replaced. */
export function withFigures(readme: string, figures: string): string {
  // The blank line is prettier's: outside a prettier-ignore block it would add it.
  return withBlock(readme, "figures", `\n${figures}`);
}

/** Replaces a block of docs/benchmarks.md with a benchmark's latest table. */
export async function updateBenchmarksDoc(name: string, table: string): Promise<void> {
  const docFile = join(import.meta.dirname, "..", "docs", "benchmarks.md");
  const doc = await readFile(docFile, "utf8");
  const replaced = withBlock(doc, name, table);
  if (replaced !== doc) {
    await writeFile(docFile, replaced);
    console.log(`-> docs/benchmarks.md's ${name} table`);
  }
}

/** Rewrites the README's figures from the result files (after a benchmark wrote its own). */
export async function updateReadmeFigures(): Promise<void> {
  const readme = await readFile(readmeFile, "utf8");
  const updated = withFigures(readme, renderFigures(readAllResults()));
  if (updated !== readme) {
    await writeFile(readmeFile, updated);
    console.log("-> README.md's figures");
  }
}
