// `npm run bench -- fleet`: how large a simulated client fleet the whole local lab carries on this
// machine. Each run starts the lab as `npm start` does (backend/src/lab/main.ts, free ports, a temp
// BLACKOUT_DATA_DIR shared by the runs so that all but the first start warm) with `--clients N
// --poll-ms P`, lets it settle, and measures over a fixed window: polls per second achieved
// against offered (N × 1000 / P), failed and timed-out polls, the fleet's latency, and the CPU of
// every component (from /proc/<pid>/stat, pids from the supervisor's API).
//
//   npm run bench -- fleet                              # the default runs (about 12 min)
//   npm run bench -- fleet --runs 1000@500              # one run: 1 000 clients polling every 500 ms
//   npm run bench -- fleet --runs 600@500,1000@1000 --window-s 60
//
// Results go to bench/results/fleet-scale.json, added to the runs already there (each with its
// date, working tree and how busy the whole machine was): one quick run discards nothing, and a
// run on a machine shared with other work stays beside a quiet one instead of replacing it.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { FleetSummary } from "../backend/src/services/clients/fleet.ts";
import {
  commit,
  getJson,
  labComponents,
  labPorts,
  startLab,
  stopLab,
  stopOnInterrupt,
  type Lab,
  machine,
} from "./benchLab.ts";
import { updateReadmeFigures } from "./figures.ts";
import {
  fleetRunsTable,
  summarizeFleetRuns,
  type FleetResults,
  type FleetWaiting,
  type Hop,
} from "./fleetScaleSummary.ts";
import { measureHttpFloor, type HttpFloor } from "./httpFloor.ts";
import {
  clockTicks,
  cpuTicks,
  machineCpuPercent,
  machineTicks,
  runQueueWaitNs,
  cpuPressureUs,
  type CpuTicks,
} from "./procStat.ts";
import { scrape } from "./labMetrics.ts";
import { histogramPercentileMs } from "./prometheusText.ts";
import { querySamples } from "../backend/test/support/prometheus.ts";

const resultsFile = join(import.meta.dirname, "results", "fleet-scale.json");

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "fleet"),
  options: {
    runs: {
      type: "string",
      default: "100@500,200@500,300@500,500@500,1000@500,1000@2000,1000@3000",
    },
    "settle-s": { type: "string", default: "15" },
    "window-s": { type: "string", default: "30" },
    // The lab's defaults: 2 producers at 20 records/s each.
    producers: { type: "string", default: "2" },
    rate: { type: "string", default: "20" },
    /** Every run's clients long-poll with this wait (`wait=` ms); 0 polls. */
    "long-poll-ms": { type: "string", default: "0" },
    /**
     * Runs every thread of the components off the poll path (brokers, producers, control,
     * Prometheus, the supervisor) at this nice value: how much of a poll's round trip is waiting
     * for a core behind them. Such a run never counts as holding.
     */
    "others-nice": { type: "string" },
    /** Skips the bare-HTTP floor measured before each run. */
    "no-floor": { type: "boolean", default: false },
    /** Keeps each run's component logs (warn and above) in <dir>/<clients>@<pollMs>/. */
    "logs-dir": { type: "string" },
    /** Each Node service's CPU profile of the run, in <dir>/<clients>@<pollMs>/<service>/. */
    "profile-dir": { type: "string" },
  },
});
const runs = flags.runs.split(",").map((spec) => {
  const match = /^(\d+)@(\d+)$/.exec(spec.trim());
  if (match === null) throw new Error(`--runs: expected clients@pollMs pairs, got "${spec}"`);
  return { clients: Number(match[1]), pollMs: Number(match[2]) };
});
const settleMs = Number(flags["settle-s"]) * 1000;
const longPollMs = Number(flags["long-poll-ms"]);
const windowMs = Number(flags["window-s"]) * 1000;
const othersNice = flags["others-nice"] === undefined ? undefined : Number(flags["others-nice"]);
if (
  othersNice !== undefined &&
  !(Number.isInteger(othersNice) && othersNice >= 0 && othersNice <= 19)
) {
  throw new Error(
    `--others-nice: expected a whole number from 0 to 19, got "${flags["others-nice"]}"`,
  );
}

/** The components a poll passes through; every other one is "off the poll path". */
const onPollPath = (name: string) =>
  name === "clients" || name === "gateway" || name.startsWith("consumer-");

/** Sets every thread of a process to a nice value (on Linux a priority belongs to a thread). */
function reniceThreads(pid: number, nice: number): void {
  const threads = readdirSync(`/proc/${pid}/task`);
  const result = spawnSync("renice", ["-n", String(nice), "-p", ...threads], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`renice of ${pid}'s threads failed: ${result.stderr}`);
}

interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  /** How long the fleet took to answer /api/summary and /metrics: its event loop's backlog. */
  apiMs: number;
  summary: FleetSummary;
  metrics: Map<string, number>;
  gateway: Map<string, number>;
  ticks: Map<string, CpuTicks | undefined>;
  /** Each component's event-loop thread: ns spent runnable, waiting for a core. */
  runQueueNs: Map<string, number | undefined>;
  cpuPressureUs: number | undefined;
}

const pollResults = ["ok", "stale", "failed", "timeout", "refused"] as const;

/**
 * A percentile over the window from one of the fleet's histograms: the upper bound of the bucket
 * it falls in (by default `blackout_client_latency_seconds`, one observation per poll with fresh
 * records).
 */
function histogramPercentile(
  before: Snapshot,
  after: Snapshot,
  q: number,
  histogram = "blackout_client_latency_seconds",
): number | null {
  return histogramPercentileMs(before.metrics, after.metrics, histogram, q);
}

function startRun(
  dataDir: string,
  ports: Record<string, string>,
  run: { clients: number; pollMs: number },
): Promise<Lab> {
  return startLab(dataDir, ports, {
    CLIENTS: String(run.clients),
    POLL_MS: String(run.pollMs),
    PRODUCERS: flags.producers,
    RATE_PER_SECOND: flags.rate,
    LONG_POLL_MS: String(longPollMs),
    ...(flags["profile-dir"] === undefined
      ? {}
      : {
          NODE_PROFILE_DIR: resolve(flags["profile-dir"], `${run.clients}@${run.pollMs}`),
        }),
  });
}

/** CPU first, then the fleet's counters: how long the fleet takes to answer is reported too. */
async function snapshot(lab: Lab, pids: Map<string, number>): Promise<Snapshot> {
  const at = performance.now();
  const ticks = new Map([...pids].map(([name, pid]) => [name, cpuTicks(pid)]));
  const runQueueNs = new Map([...pids].map(([name, pid]) => [name, runQueueWaitNs(pid)]));
  const pressure = cpuPressureUs();
  const machine = machineTicks();
  const [summary, metrics, gateway] = await Promise.all([
    getJson<FleetSummary>(`${lab.url("CLIENTS_PORT")}/api/summary`),
    scrape(`${lab.url("CLIENTS_PORT")}/metrics`),
    scrape(`${lab.url("GATEWAY_PORT")}/gateway/metrics`),
  ]);
  const apiMs = Math.round(performance.now() - at);
  return {
    at,
    machine,
    apiMs,
    summary,
    metrics,
    gateway,
    ticks,
    runQueueNs,
    cpuPressureUs: pressure,
  };
}

async function measure(
  lab: Lab,
  run: { clients: number; pollMs: number },
  floor: HttpFloor | undefined,
) {
  const components = await labComponents(lab);
  const pids = new Map<string, number>();
  if (lab.process.pid !== undefined) pids.set("supervisor", lab.process.pid);
  for (const component of components) {
    if (component.pid !== undefined) pids.set(component.name, component.pid);
  }
  if (othersNice !== undefined) {
    for (const [name, pid] of pids) if (!onPollPath(name)) reniceThreads(pid, othersNice);
  }
  await sleep(settleMs);
  const before = await snapshot(lab, pids);
  await sleep(windowMs);
  const after = await snapshot(lab, pids);
  const seconds = (after.at - before.at) / 1000;
  const restartedDuring = (await labComponents(lab))
    .filter((c) => c.pid !== pids.get(c.name))
    .map((c) => c.name);

  const polls = Object.fromEntries(
    pollResults.map((result) => {
      const key = `blackout_client_polls_total{result="${result}"}`;
      return [result, (after.metrics.get(key) ?? 0) - (before.metrics.get(key) ?? 0)];
    }),
  ) as Record<(typeof pollResults)[number], number>;
  const completed = pollResults.reduce((sum, result) => sum + polls[result], 0);
  const percent = (ticks: number) => Math.round((ticks / clockTicks / seconds) * 1000) / 10;
  const cpuPercent: Record<string, number> = {};
  // The kernel's share: on loopback, sending also runs the receiver's TCP stack.
  const systemCpuPercent: Record<string, number> = {};
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (end === undefined || start === undefined) continue;
    cpuPercent[name] = percent(end.user + end.system - start.user - start.system);
    systemCpuPercent[name] = percent(end.system - start.system);
  }
  const sumCpu = (prefix: string) =>
    Object.entries(cpuPercent)
      .filter(([name]) => name.startsWith(prefix))
      .reduce((sum, [, value]) => sum + value, 0);
  const latency = {
    // The fleet's own summary: median of the clients' p50s and p99 of their p99s, over the last
    // two minutes of each client's ledger (settle included).
    summaryP50Ms: after.summary.latencyP50Ms,
    summaryP99Ms: after.summary.latencyP99Ms,
    // The window only, from the histogram: the upper bound of the bucket.
    windowP50MsAtMost: histogramPercentile(before, after, 0.5),
    windowP99MsAtMost: histogramPercentile(before, after, 0.99),
    // Each answered poll's round trip (`blackout_client_poll_seconds`), the window only.
    roundTripP50MsAtMost: histogramPercentile(before, after, 0.5, "blackout_client_poll_seconds"),
    roundTripP99MsAtMost: histogramPercentile(before, after, 0.99, "blackout_client_poll_seconds"),
  };
  // What the gateway answered with an error (or the client hung up on): failed polls beyond
  // these failed between the fleet and the gateway.
  const gatewayErrors: Record<string, number> = {};
  for (const [key, value] of after.gateway) {
    const status = /^blackout_gateway_requests_total\{.*status="([^"]+)"/.exec(key)?.[1];
    if (status === undefined || /^[23]/.test(status)) continue;
    const delta = value - (before.gateway.get(key) ?? 0);
    if (delta > 0) gatewayErrors[status] = (gatewayErrors[status] ?? 0) + delta;
  }
  const cpuMsPerPoll = Object.fromEntries(
    (
      [
        ["clients", cpuPercent.clients ?? 0],
        ["gateway", cpuPercent.gateway ?? 0],
        ["consumers", sumCpu("consumer-")],
      ] as const
    ).map(([hop, percent]) => [
      hop,
      completed === 0 ? null : Math.round(((percent * 10) / (completed / seconds)) * 100) / 100,
    ]),
  ) as Record<Hop, number | null>;
  const waiting = await waitingOf(lab, before, after, seconds);
  return {
    clients: run.clients,
    pollMs: run.pollMs,
    longPollMs,
    producers: Number(flags.producers),
    ratePerSecond: Number(flags.rate),
    date: new Date().toISOString(),
    commit,
    windowS: Math.round(seconds * 10) / 10,
    pollsPerSecond: {
      offered: Math.round((run.clients * 1000) / run.pollMs),
      completed: Math.round((completed / seconds) * 10) / 10,
      ok: Math.round(((polls.ok + polls.stale) / seconds) * 10) / 10,
    },
    polls,
    gatewayErrors,
    missing: after.summary.missing,
    stalledClients: after.summary.stalledClients,
    latency,
    cpuPercent,
    systemCpuPercent,
    // CPU a poll costs each hop: its CPU ms per second over the polls completed per second.
    // It holds each process's whole CPU, the consumers' Kafka side and timers included.
    cpuMsPerPoll,
    httpFloor: floor,
    overFloor: floor === undefined ? undefined : overFloor(cpuMsPerPoll, floor),
    cpuPercentTotals: {
      brokers: Math.round(sumCpu("kafka-") * 10) / 10,
      consumers: Math.round(sumCpu("consumer-") * 10) / 10,
      gateway: cpuPercent.gateway ?? 0,
      clients: cpuPercent.clients ?? 0,
      all: Math.round(sumCpu("") * 10) / 10,
    },
    // The whole machine (100 % per core), the lab's processes and whatever else ran: anything
    // well above `all` means the run shared the machine.
    machineCpuPercent: machineCpuPercent(before.machine, after.machine),
    waiting,
    fleetApiMs: Math.max(before.apiMs, after.apiMs),
    // Under --cpu-prof every hop costs more: such a run shows where time goes, not what holds.
    profiled: flags["profile-dir"] !== undefined,
    ...(othersNice === undefined ? {} : { othersNice }),
    restartedDuring,
  };
}

/** The Prometheus names of each hop's Node metrics (prom-client's defaults, prefixed). */
const hopMetricPrefix: Record<Hop, string> = {
  clients: "blackout_client",
  gateway: "blackout_gateway",
  consumers: "blackout_consumer",
};

/**
 * Where a poll can wait without costing CPU: each hop's event-loop thread runnable but without a
 * core (the kernel's run queue), the machine's CPU pressure, and each hop's event loop busy with
 * something else (prom-client's event-loop delay, which Prometheus scrapes every 5 s: the largest
 * over the window, the consumers' the largest of the three).
 */
async function waitingOf(
  lab: Lab,
  before: Snapshot,
  after: Snapshot,
  seconds: number,
): Promise<FleetWaiting> {
  const runQueueMs = (name: string): number => {
    const start = before.runQueueNs.get(name);
    const end = after.runQueueNs.get(name);
    return start === undefined || end === undefined ? 0 : (end - start) / 1e6;
  };
  const names = [...after.runQueueNs.keys()];
  const hopRunQueue = (hop: Hop): number => {
    const of = hop === "consumers" ? names.filter((n) => n.startsWith("consumer-")) : [hop];
    return (
      Math.round((of.reduce((sum, name) => sum + runQueueMs(name), 0) / of.length / seconds) * 10) /
      10
    );
  };
  const eventLoop = async (hop: Hop, stat: "max" | "p99"): Promise<number | null> => {
    const metric = `${hopMetricPrefix[hop]}_nodejs_eventloop_lag_${stat}_seconds`;
    const range = `${Math.max(5, Math.round(seconds))}s`;
    const samples = await querySamples(
      lab.url("PROMETHEUS_PORT"),
      `max(max_over_time(${metric}[${range}]))`,
    );
    const value = samples[0]?.value;
    return value === undefined ? null : Math.round(value * 1000);
  };
  const hops: Hop[] = ["clients", "gateway", "consumers"];
  const pressure =
    before.cpuPressureUs === undefined || after.cpuPressureUs === undefined
      ? null
      : Math.round(((after.cpuPressureUs - before.cpuPressureUs) / 1e6 / seconds) * 1000) / 10;
  return {
    cpuPressurePercent: pressure,
    runQueueMsPerSecond: Object.fromEntries(hops.map((hop) => [hop, hopRunQueue(hop)])) as Record<
      Hop,
      number
    >,
    eventLoopDelayMs: Object.fromEntries(
      await Promise.all(
        hops.map(async (hop) => [
          hop,
          { p99: await eventLoop(hop, "p99"), max: await eventLoop(hop, "max") },
        ]),
      ),
    ) as Record<Hop, { p99: number | null; max: number | null }>,
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;
type RunResult = Measured & { holds: boolean };

/**
 * A run holds with no timed-out or failed poll, nothing missing, and the window's p99 latency at
 * most 2 × POLL_MS. That p99 is the histogram's (each poll's newest record, the window only): the
 * summary's percentiles reach two minutes back, over the lab's start.
 */
function holds(run: Measured): boolean {
  const p99 = run.latency.windowP99MsAtMost;
  return (
    run.polls.timeout === 0 &&
    run.polls.failed + run.polls.refused === 0 &&
    run.missing === 0 &&
    p99 !== null &&
    p99 <= 2 * run.pollMs
  );
}

/**
 * Each hop's CPU a poll as a multiple of the bare floor for what it does: the fleet is an HTTP
 * client that parses the answer, the gateway a server and a client, a consumer a Koa server.
 */
function overFloor(
  perPoll: Record<Hop, number | null>,
  floor: HttpFloor,
): Record<Hop, number | null> {
  const { client, nodeServer, koaServer } = floor.cpuMsPerRequest;
  const ratio = (ours: number | null, theirs: number) =>
    ours === null ? null : Math.round((ours / theirs) * 10) / 10;
  return {
    clients: ratio(perPoll.clients, client),
    gateway: ratio(perPoll.gateway, nodeServer + client),
    consumers: ratio(perPoll.consumers, koaServer),
  };
}

const dataDir = await mkdtemp(join(tmpdir(), "blackout-bench-fleet-"));
const ports = await labPorts();
const measured: Measured[] = [];
stopOnInterrupt(dataDir);
try {
  for (const run of runs) {
    let floor: HttpFloor | undefined;
    if (!flags["no-floor"]) {
      console.log(`${run.clients} clients every ${run.pollMs} ms: the bare-HTTP floor`);
      floor = await measureHttpFloor({
        ...run,
        recordsPerAnswer: Math.round(
          (Number(flags.producers) * Number(flags.rate) * run.pollMs) / 1000,
        ),
        warmupS: 3,
        windowS: 10,
      });
      console.log(`  floor ${JSON.stringify(floor.cpuMsPerRequest)} CPU ms a request`);
    }
    console.log(`${run.clients} clients every ${run.pollMs} ms: starting the lab`);
    const lab = await startRun(dataDir, ports, run);
    try {
      const result = await measure(lab, run, floor);
      if (flags["logs-dir"] !== undefined) {
        const target = join(flags["logs-dir"], `${run.clients}@${run.pollMs}`);
        await cp(join(dataDir, "logs"), target, { recursive: true });
      }
      measured.push(result);
      console.log(
        `  ${result.pollsPerSecond.completed}/${result.pollsPerSecond.offered} polls/s, ` +
          `timeouts ${result.polls.timeout}, failed ${result.polls.failed + result.polls.refused}, ` +
          `latency p50 ${result.latency.summaryP50Ms} ms p99 ${result.latency.summaryP99Ms} ms, ` +
          `cpu ${JSON.stringify(result.cpuPercentTotals)}, CPU ms a poll ${JSON.stringify(result.cpuMsPerPoll)}, ` +
          `× floor ${JSON.stringify(result.overFloor)}, waiting ${JSON.stringify(result.waiting)} ` +
          `-> ${holds(result) ? "holds" : "does not hold"}`,
      );
    } finally {
      await stopLab(lab);
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

const previous = await readFile(resultsFile, "utf8").then(
  (text) => JSON.parse(text) as FleetResults<RunResult>,
  () => undefined,
);
// Runs from before producers and rate were kept per run ran with the file's lab settings then.
const earlier = (previous?.runs ?? []).map((r) => ({
  ...r,
  producers: r.producers ?? previous?.lab?.producers,
  ratePerSecond: r.ratePerSecond ?? previous?.lab?.ratePerSecond,
}));
const all = [...earlier, ...measured].map((r) => ({ ...r, holds: holds(r) }));
const results = summarizeFleetRuns(all, {
  machine: machine(),
  node: process.version,
  consumers: 3,
  settleS: settleMs / 1000,
});
await mkdir(join(import.meta.dirname, "results"), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(resultsFile.replace(/\.json$/, ".md"), fleetRunsTable(results.runs));
console.log(`-> bench/results/fleet-scale.json and fleet-scale.md`);
await updateReadmeFigures();
