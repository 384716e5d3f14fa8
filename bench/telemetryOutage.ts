// `npm run bench -- telemetry [--phase-s 120] [--sample-s 5] [--clients N] [--out dir]`: the
// whole local lab, no fault, while the telemetry backends fail one at a time (issue 18): every
// backend up, Jaeger frozen (SIGSTOP: it accepts connections and answers none, worse than down),
// every backend up again, Prometheus frozen, up again. Per phase, what clients saw (end-to-end
// latency, polls and failed polls) and what the services carried (spans dropped, their span
// queues, what their full collections left alive), each against the first phase of the same
// run. Grafana is not part of the local lab: control's annotation calls to a Grafana that does
// not answer are bounded by a unit test ("never makes a fault wait for a Grafana…").
//
// Results: bench/results/telemetry-outage.json (settings, every phase, every service reading)
// and telemetry-outage.md; docs/benchmarks.md's table follows when written to bench/results.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { ComponentInfo } from "../backend/src/chaos/supervisor/localSupervisor.ts";
import { waitFor } from "../backend/src/lib/waitFor.ts";
import {
  describeRun,
  getJson,
  labPorts,
  resultHeader,
  startLab,
  stopLab,
  stopOnInterrupt,
  whole,
  type Lab,
} from "./benchLab.ts";
import { resultsDir, updateBenchmarksDoc } from "./figures.ts";
import { nodeMetricsUrl, ownMetric, scrape } from "./labMetrics.ts";
import {
  outageTable,
  phaseFigures,
  type Backend,
  type PhaseReadings,
  type ServiceReading,
} from "./telemetryOutageSummary.ts";

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "telemetry"),
  options: {
    "phase-s": { type: "string", default: "120" },
    "sample-s": { type: "string", default: "5" },
    "settle-s": { type: "string", default: "60" },
    clients: { type: "string" },
    out: { type: "string", default: resultsDir },
  },
});

/** A flag's whole number, at least `min`; a usage error (exit 2) otherwise. */
function wholeFlag(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`--${name}: expected a whole number of at least ${min}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const settings = {
  phaseS: wholeFlag("phase-s", flags["phase-s"], 10),
  sampleS: wholeFlag("sample-s", flags["sample-s"], 1),
  settleS: wholeFlag("settle-s", flags["settle-s"], 0),
  lab: Object.fromEntries(
    flags.clients === undefined
      ? []
      : [["CLIENTS", String(wholeFlag("clients", flags.clients, 1))]],
  ),
};

const PHASES: readonly { readonly name: string; readonly frozen: Backend | null }[] = [
  { name: "every backend up", frozen: null },
  { name: "Jaeger frozen", frozen: "jaeger" },
  { name: "Jaeger back", frozen: null },
  { name: "Prometheus frozen", frozen: "prometheus" },
  { name: "Prometheus back", frozen: null },
];

async function components(lab: Lab): Promise<ComponentInfo[]> {
  return getJson<ComponentInfo[]>(`${lab.url("SUPERVISOR_PORT")}/api/components`);
}

/** One reading of every Node service's /metrics; a service that does not answer is left out. */
async function readServices(lab: Lab, names: readonly string[], at: number) {
  const readings = await Promise.all(
    names.map(async (service): Promise<ServiceReading | undefined> => {
      const url = nodeMetricsUrl(lab, service);
      if (url === undefined) return undefined;
      const samples = await scrape(url, { signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
      if (samples === undefined) return undefined;
      const field = (name: string, own: string) => {
        const value = ownMetric(samples, own);
        return value === undefined ? {} : { [name]: value };
      };
      return {
        at,
        service,
        ...field("afterGcBytes", "nodejs_memory_after_gc_bytes"),
        ...field("spanQueue", "trace_span_queue"),
        ...field("spanQueueCapacity", "trace_span_queue_capacity"),
        ...field("spansDropped", "trace_spans_dropped_total"),
      };
    }),
  );
  return readings.filter((r) => r !== undefined);
}

/** A phase: the backend frozen (and thawed whatever happens), read every `sampleS` seconds. */
async function runPhase(
  lab: Lab,
  phase: (typeof PHASES)[number],
): Promise<PhaseReadings & { frozenRestarts: number }> {
  const before = await components(lab);
  const names = before.map((c) => c.name).concat("supervisor");
  const frozen = phase.frozen === null ? undefined : before.find((c) => c.name === phase.frozen);
  if (phase.frozen !== null && frozen?.pid === undefined) {
    throw new Error(`the lab runs no ${phase.frozen} to freeze`);
  }
  const fleetUrl = `${lab.url("CLIENTS_PORT")}/metrics`;
  const startedAt = Date.now();
  const fleetBefore = await scrape(fleetUrl);
  if (frozen?.pid !== undefined) process.kill(frozen.pid, "SIGSTOP");
  const services: ServiceReading[] = [];
  try {
    while (Date.now() - startedAt < settings.phaseS * 1000) {
      services.push(...(await readServices(lab, names, Date.now() - startedAt)));
      await sleep(
        Math.min(settings.sampleS * 1000, startedAt + settings.phaseS * 1000 - Date.now()),
      );
    }
  } finally {
    if (frozen?.pid !== undefined) process.kill(frozen.pid, "SIGCONT");
  }
  const fleetAfter = await scrape(fleetUrl);
  const after = await components(lab);
  const restarts = (list: ComponentInfo[]) => list.find((c) => c.name === phase.frozen)?.restarts;
  return {
    ...phase,
    seconds: Math.round((Date.now() - startedAt) / 1000),
    fleetBefore,
    fleetAfter,
    services,
    // The supervisor restarting a frozen backend would make the phase one of a backend down.
    frozenRestarts: (restarts(after) ?? 0) - (restarts(before) ?? 0),
  };
}

const ports = await labPorts();
const dataDir = await mkdtemp(join(tmpdir(), "blackout-telemetry-outage-"));
stopOnInterrupt(dataDir);
const lab = await startLab(dataDir, ports, settings.lab);
try {
  await waitFor(() => whole(lab), {
    what: "the lab to be whole",
    timeoutMs: 180_000,
    intervalMs: 1000,
  });
  console.log(`lab up and whole; settling ${settings.settleS} s`);
  await sleep(settings.settleS * 1000);
  const phases = [];
  for (const phase of PHASES) {
    console.log(`${phase.name}: ${settings.phaseS} s`);
    const readings = await runPhase(lab, phase);
    const figures = { ...phaseFigures(readings), frozenRestarts: readings.frozenRestarts };
    console.log(
      `  latency p50/p99 ${figures.latencyP50Ms}/${figures.latencyP99Ms} ms, ${figures.failedPolls} of ${figures.polls} polls failed, ${figures.spansDropped} spans dropped`,
    );
    phases.push({ figures, services: readings.services });
  }
  const results = {
    ...resultHeader("telemetry-outage"),
    settings,
    phases: phases.map((p) => p.figures),
    /** Every service reading, per phase: `[ms since the phase began, service, after GC KiB, span queue, spans dropped]`. */
    readings: phases.map((p) =>
      p.services.map((r) => [
        r.at,
        r.service,
        r.afterGcBytes === undefined ? null : Math.round(r.afterGcBytes / 1024),
        r.spanQueue ?? null,
        r.spansDropped ?? null,
      ]),
    ),
  };
  const table = outageTable(results.phases);
  const restarted = results.phases.filter((p) => p.frozenRestarts > 0).map((p) => p.name);
  const outDir = resolve(flags.out);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "telemetry-outage.json"), `${JSON.stringify(results)}\n`);
  await writeFile(
    join(outDir, "telemetry-outage.md"),
    `# Telemetry backends failing\n\n${describeRun(results)}; commit ${results.commit}. The whole local lab with no fault (\`npm run bench -- telemetry --phase-s ${settings.phaseS}\`), ${settings.phaseS} s a phase, services read every ${settings.sampleS} s; lab settings: ${Object.keys(settings.lab).length === 0 ? "the defaults" : JSON.stringify(settings.lab)}.${restarted.length === 0 ? "" : ` **The supervisor restarted the frozen backend in: ${restarted.join(", ")}.**`}\n\n${table}\n`,
  );
  console.log(`\n${table}\n\n-> ${join(outDir, "telemetry-outage.json")}, telemetry-outage.md`);
  if (outDir === resultsDir) await updateBenchmarksDoc("telemetry-outage", `${table}\n`);
} finally {
  await stopLab(lab);
  await rm(dataDir, { recursive: true, force: true });
}
