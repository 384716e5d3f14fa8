// The telemetry-outage benchmark itself (telemetryOutage.ts is its command line): the whole
// local lab with no fault while Jaeger, then Prometheus, hangs, read phase by phase. CI runs a
// short one (backend/test/integration/telemetryOutage.test.ts).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ComponentInfo } from "../backend/src/chaos/supervisor/localSupervisor.ts";
import {
  describeRun,
  labComponents,
  labPorts,
  resultHeader,
  startLab,
  stopLab,
  wholeAndSettled,
  type Lab,
} from "./benchLab.ts";
import { ownMetric, scrape, scrapeNodeService } from "./labMetrics.ts";
import {
  outageTable,
  phaseFigures,
  type Backend,
  type PhaseFigures,
  type PhaseReadings,
  type ServiceReading,
} from "./telemetryOutageSummary.ts";

export interface TelemetryOutageSettings {
  readonly phaseS: number;
  readonly sampleS: number;
  readonly settleS: number;
  /** The lab's settings beyond its defaults (`CLIENTS`). */
  readonly lab: Readonly<Record<string, string>>;
}

export interface TelemetryOutageOptions extends TelemetryOutageSettings {
  /** The lab's data; the caller removes it. */
  readonly dataDir: string;
  readonly print: (line: string) => void;
}

const PHASES: readonly { readonly name: string; readonly frozen: Backend | null }[] = [
  { name: "every backend up", frozen: null },
  { name: "Jaeger frozen", frozen: "jaeger" },
  { name: "Jaeger back", frozen: null },
  { name: "Prometheus frozen", frozen: "prometheus" },
  { name: "Prometheus back", frozen: null },
];

/** One reading of every Node service's /metrics; a service that does not answer is left out. */
async function readServices(lab: Lab, names: readonly string[], at: number) {
  const readings = await Promise.all(
    names.map(async (service): Promise<ServiceReading | undefined> => {
      const samples = await scrapeNodeService(lab, service);
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
  settings: TelemetryOutageSettings,
): Promise<PhaseReadings & { frozenRestarts: number }> {
  const before = await labComponents(lab);
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
        Math.max(
          0,
          Math.min(settings.sampleS * 1000, startedAt + settings.phaseS * 1000 - Date.now()),
        ),
      );
    }
  } finally {
    if (frozen?.pid !== undefined) process.kill(frozen.pid, "SIGCONT");
  }
  const fleetAfter = await scrape(fleetUrl);
  const after = await labComponents(lab);
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

/** Every phase's figures, with how often the supervisor restarted the backend frozen in it. */
export type OutagePhase = PhaseFigures & { readonly frozenRestarts: number };

/** Runs the benchmark from the lab's start to its stop; the lab is stopped whatever happens. */
export async function runTelemetryOutage(options: TelemetryOutageOptions) {
  const { print, dataDir, ...settings } = options;
  const lab = await startLab(dataDir, await labPorts(), settings.lab);
  try {
    await wholeAndSettled(lab, settings.settleS, print);
    const phases: { figures: OutagePhase; services: readonly ServiceReading[] }[] = [];
    for (const phase of PHASES) {
      print(`${phase.name}: ${settings.phaseS} s`);
      const readings = await runPhase(lab, phase, settings);
      const figures = { ...phaseFigures(readings), frozenRestarts: readings.frozenRestarts };
      print(
        `  latency p50/p99 ${figures.latencyP50Ms}/${figures.latencyP99Ms} ms, ${figures.failedPolls} of ${figures.polls} polls failed, ${figures.spansDropped} spans dropped`,
      );
      phases.push({ figures, services: readings.services });
    }
    return {
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
  } finally {
    await stopLab(lab);
  }
}

export type TelemetryOutageResults = Awaited<ReturnType<typeof runTelemetryOutage>>;

/** Writes telemetry-outage.json (every reading) and telemetry-outage.md into `dir`. */
export async function writeTelemetryOutageResults(
  dir: string,
  results: TelemetryOutageResults,
): Promise<void> {
  const { settings } = results;
  const restarted = results.phases.filter((p) => p.frozenRestarts > 0).map((p) => p.name);
  await writeFile(join(dir, "telemetry-outage.json"), `${JSON.stringify(results)}\n`);
  await writeFile(
    join(dir, "telemetry-outage.md"),
    `# Telemetry backends failing\n\n${describeRun(results)}; commit ${results.commit}. The whole local lab with no fault (\`npm run bench -- telemetry --phase-s ${settings.phaseS}\`), ${settings.phaseS} s a phase, services read every ${settings.sampleS} s; lab settings: ${Object.keys(settings.lab).length === 0 ? "the defaults" : JSON.stringify(settings.lab)}.${restarted.length === 0 ? "" : ` **The supervisor restarted the frozen backend in: ${restarted.join(", ")}.**`}\n\n${outageTable(results.phases)}\n`,
  );
}
