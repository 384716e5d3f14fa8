// The soak itself: the whole local lab under a seeded fault every `everyS` seconds, through
// control's API as a user would call it, then what must hold at the end (soakSummary.ts). `npm run soak`
// (soak.ts) and the CI's 3-minute soak (backend/test/integration/soak.test.ts) both run it.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ControlError, createControlClient } from "../backend/src/contract/controlClient.ts";
import type { Fault } from "../backend/src/contract/fault.ts";
import type { ClientSummary } from "../backend/src/contract/fleet.ts";
import { readBackTopic } from "../backend/src/kafka/consoleReadBack.ts";
import { ensureKafkaJars } from "../backend/src/kafka/kafkaJars.ts";
import { NUMBERS_TOPIC } from "../backend/src/kafka/records.ts";
import { sequenceHoles } from "../backend/src/kafka/sequenceHoles.ts";
import { seededRandom } from "../backend/src/lib/seededRandom.ts";
import { waitFor } from "../backend/src/lib/waitFor.ts";
import {
  describeRun,
  getJson,
  labComponents,
  labPorts,
  resultHeader,
  startLab,
  stopLab,
  whole,
  wholeAndSettled,
  type Lab,
} from "./benchLab.ts";
import { ownMetric, scrapeNodeService } from "./labMetrics.ts";
import type { MemorySample } from "./memorySlope.ts";
import { residentBytes } from "./procStat.ts";
import { pickFault, sparedTargets } from "./soakFaults.ts";
import {
  checksTable,
  faultsTable,
  memoryTable,
  recovered,
  serviceMemory,
  soakChecks,
  type SoakAttempt,
  type SoakCheck,
  type SoakRun,
  type ServiceSamples,
  type SoakSettings,
} from "./soakSummary.ts";

/**
 * Control closes a fault's report when its window (FAULT_WINDOW_MS, 180 s) runs out at the
 * latest; a minute more for its last update to land.
 */
const FINAL_WAIT_MS = 240_000;

/**
 * The brokers touch their whole heap at start (`-XX:+AlwaysPreTouch`): their resident memory
 * then holds the heap from the first sample, and what it gains after is beyond the heap, which a
 * JVM otherwise pages in over its first many minutes of a soak (310 → 500 MiB in 4 min here).
 */
function soakLabSettings(lab: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return {
    ...lab,
    KAFKA_JVM_OPTS: `-XX:+AlwaysPreTouch ${lab["KAFKA_JVM_OPTS"] ?? ""}`.trim(),
  };
}

export interface SoakOptions extends SoakSettings {
  /** The lab's data (Kafka's logs, every component's log); the caller removes it. */
  readonly dataDir: string;
  readonly print: (line: string) => void;
}

/** The whole result: where it ran, with what, what it measured, and the verdict. */
export type SoakResults = ReturnType<typeof resultHeader<"soak">> &
  SoakRun & {
    readonly checks: readonly SoakCheck[];
    readonly passed: boolean;
    /** Every service's resident memory readings: `[ms since startedAt, pid, KiB]`. */
    readonly rssSamples: Readonly<Record<string, readonly Reading[]>>;
    /** The Node services' memory after their latest full collection, the same way. */
    readonly afterGcSamples: Readonly<Record<string, readonly Reading[]>>;
  };

type Reading = readonly [number, number, number];

/**
 * Every `sampleMs`, each component's resident memory (and the supervisor's own), and for a Node
 * service what its latest full collection left alive, by name.
 */
function sampleMemory(lab: Lab, sampleMs: number) {
  const samples = new Map<string, { resident: MemorySample[]; afterGc: MemorySample[] }>();
  const readingsOf = (service: string) => {
    let readings = samples.get(service);
    if (readings === undefined) {
      readings = { resident: [], afterGc: [] };
      samples.set(service, readings);
    }
    return readings;
  };
  const add = async (service: string, pid: number | undefined, at: number) => {
    if (pid === undefined) return;
    const rssBytes = residentBytes(pid);
    if (rssBytes !== undefined) readingsOf(service).resident.push({ at, pid, bytes: rssBytes });
    const samples = await scrapeNodeService(lab, service);
    const afterGc = samples && ownMetric(samples, "nodejs_memory_after_gc_bytes");
    if (afterGc !== undefined) readingsOf(service).afterGc.push({ at, pid, bytes: afterGc });
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const components = await labComponents(lab);
        const at = Date.now();
        await Promise.all([
          add("supervisor", lab.process.pid, at),
          ...components.map((c) => add(c.name, c.pid, at)),
        ]);
      } catch {
        // A reading missed under load: the fit does with one sample fewer.
      }
      await sleep(sampleMs);
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function describeRecovery(fault: Fault): string {
  const { report } = fault;
  const s = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? "?" : `${(ms / 1000).toFixed(1)} s`;
  return recovered(fault)
    ? `pod ${s(report.podRecoveryMs)}, clients p99 ${s(report.clientRecovery?.p99Ms)}, lag ${s(report.lagRecoveryMs)}, missing ${report.totals?.missing ?? "?"}`
    : `timed out (pod ${s(report.podRecoveryMs)}, lag ${s(report.lagRecoveryMs)}, clients pending ${report.clientRecovery?.pending ?? "?"})`;
}

/** Runs a soak from the lab's start to its stop; the lab is stopped whatever happens. */
export async function runSoak(options: SoakOptions): Promise<SoakResults> {
  const { print } = options;
  const ports = await labPorts();
  print(`soak: seed ${options.seed}, ${options.minutes} min, a fault every ${options.everyS} s`);
  const labSettings = soakLabSettings(options.lab);
  const lab = await startLab(options.dataDir, ports, labSettings);
  const control = createControlClient({ baseUrl: lab.url("CONTROL_PORT"), timeoutMs: 60_000 });
  const memory = sampleMemory(lab, options.sampleS * 1000);
  try {
    await wholeAndSettled(lab, options.settleS, print);

    const random = seededRandom(options.seed);
    const startedAt = Date.now();
    const clock = (at: number) => {
      const s = Math.round((at - startedAt) / 1000);
      return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    };
    const attempts: SoakAttempt[] = [];
    const reported = new Set<string>();
    const ours = async () => (await control.faults()).filter((f) => f.t0 >= startedAt);
    const printRecovered = (faults: readonly Fault[]) => {
      for (const fault of faults) {
        if (fault.report.status !== "complete" || reported.has(fault.id)) continue;
        reported.add(fault.id);
        print(`  [${clock(Date.now())}] ${fault.id}: ${describeRecovery(fault)}`);
      }
    };
    const spared = sparedTargets(await control.targets());
    print(`spared, so that each kind has a process that lives the whole run: ${spared.join(", ")}`);
    const ticks = Math.max(1, Math.floor((options.minutes * 60) / options.everyS));
    for (let tick = 0; tick < ticks; tick++) {
      await sleep(Math.max(0, startedAt + tick * options.everyS * 1000 - Date.now()));
      const at = Date.now();
      const victims = (await control.targets()).filter((t) => !spared.includes(t.name));
      const picked = pickFault(random, victims, options.freezeS);
      if (picked === undefined) {
        attempts.push({ at, label: "none", outcome: "refused", reason: "no target of that kind" });
        continue;
      }
      let attempt: SoakAttempt;
      try {
        const outcome = await control.inject(picked.request);
        attempt = {
          at,
          label: picked.label,
          outcome: "injected",
          ...(outcome.kind === "injected" ? { faultId: outcome.fault.id } : {}),
        };
      } catch (error) {
        const refused = error instanceof ControlError && error.status === 409;
        const reason = error instanceof Error ? error.message : String(error);
        attempt = { at, label: picked.label, outcome: refused ? "refused" : "error", reason };
      }
      attempts.push(attempt);
      print(
        `[${clock(at)}] #${tick + 1}/${ticks} ${attempt.label}: ${attempt.outcome === "injected" ? attempt.faultId : `${attempt.outcome}: ${attempt.reason}`}`,
      );
      printRecovered(await ours());
    }

    print(`[${clock(Date.now())}] last fault injected; waiting for every report and the lab`);
    let faults: Fault[] = [];
    try {
      await waitFor(
        async () => {
          faults = await ours();
          printRecovered(faults);
          return faults.every((f) => f.report.status === "complete") && (await whole(lab));
        },
        {
          what: "every fault's report and the lab whole",
          timeoutMs: FINAL_WAIT_MS,
          intervalMs: 2000,
        },
      );
    } catch (error) {
      // A fault still open now is what the checks report, not a reason to skip the others.
      print(error instanceof Error ? error.message : String(error));
    }
    faults = await ours();
    const ledger = await getJson<ClientSummary>(`${lab.url("CLIENTS_PORT")}/api/summary`);
    const components = await labComponents(lab);
    const serviceRestarts = Object.fromEntries(
      components.filter((c) => c.kind === "service").map((c) => [c.name, c.restarts]),
    );
    // Acknowledged before the offsets are read: all of these must be in what is read back.
    const lastAcknowledged = new Map<string, number>();
    for (const producer of components.filter((c) => c.kind === "producer")) {
      const index = Number(/(\d+)$/.exec(producer.name)?.[1] ?? 0);
      const state = await getJson<{ lastAcknowledged: number }>(
        `${lab.url("PRODUCER_PORT", index)}/api/state`,
      );
      lastAcknowledged.set(producer.name, state.lastAcknowledged);
    }
    print("reading the topic back with Kafka's console consumer");
    const readBack = await readBackTopic({
      jars: await ensureKafkaJars(),
      bootstrap: (ports.KAFKA_BROKER_PORTS ?? "")
        .split(",")
        .map((port) => `127.0.0.1:${port}`)
        .join(","),
      topic: NUMBERS_TOPIC,
    });
    const endedAt = Date.now();
    await memory.stop();

    const run: SoakRun = {
      settings: {
        minutes: options.minutes,
        seed: options.seed,
        everyS: options.everyS,
        settleS: options.settleS,
        freezeS: options.freezeS,
        sampleS: options.sampleS,
        warmupS: options.warmupS,
        minFitS: options.minFitS,
        maxMibPerHour: options.maxMibPerHour,
        lab: labSettings,
      },
      startedAt,
      endedAt,
      attempts,
      spared,
      faults,
      ledger,
      serviceRestarts,
      readBack: {
        complete: readBack.complete,
        partitions: readBack.partitions,
        records: readBack.records.length,
        undecodable: readBack.undecodable,
        producers: sequenceHoles(readBack.records, lastAcknowledged),
      },
      memory: serviceMemory(memory.samples, options),
    };
    const checks = soakChecks(run);
    return {
      ...resultHeader("soak"),
      ...run,
      checks,
      passed: checks.every((c) => c.ok),
      rssSamples: readingsTable(memory.samples, "resident", startedAt),
      afterGcSamples: readingsTable(memory.samples, "afterGc", startedAt),
    };
  } finally {
    await memory.stop();
    await stopLab(lab);
  }
}

/** One measure's readings of every service that has any, as `[ms since startedAt, pid, KiB]`. */
function readingsTable(
  samples: ReadonlyMap<string, ServiceSamples>,
  measure: keyof ServiceSamples,
  startedAt: number,
): Record<string, Reading[]> {
  return Object.fromEntries(
    [...samples]
      .filter(([, readings]) => readings[measure].length > 0)
      .map(([service, readings]) => [
        service,
        readings[measure].map(
          (r) => [r.at - startedAt, r.pid, Math.round(r.bytes / 1024)] as const,
        ),
      ]),
  );
}

/** The soak's Markdown: the verdict, the faults and the memory, with where and how it ran. */
export function soakMarkdown(results: SoakResults): string {
  const { settings } = results;
  const lab = Object.entries(settings.lab)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");
  return `# Soak\n\n${describeRun(results)}; commit ${results.commit}. ${settings.minutes} min, a fault every ${settings.everyS} s, seed ${settings.seed} (\`npm run soak -- --minutes ${settings.minutes} --seed ${settings.seed}\`); lab settings: ${lab === "" ? "the defaults" : lab}.\n\n${results.passed ? "Every check passed." : "**Some checks failed.**"}\n\n${checksTable(results.checks)}\n\n## Faults\n\nTimes from each fault's t0, as control's report gives them.\n\n${faultsTable(results)}\n\n## Memory\n\nRead every ${settings.sampleS} s: each process's resident memory (VmRSS), and for a Node service also what its latest full garbage collection left alive (\`nodejs_memory_after_gc_bytes\`, heap and external), on which it is judged: a leak raises that floor, while resident memory also follows V8's heap sizing. Kafka is judged on resident memory, its heap being touched whole at start. The slope is the least-squares fit with an intercept per process, leaving out the first ${settings.warmupS} s of each and any process that lived less than ${settings.minFitS} s past that; flat is at most ${settings.maxMibPerHour} MiB/h. Never faulted, so that each kind has a process that lived the whole run: ${results.spared.join(", ")}.\n\n${memoryTable(results)}\n`;
}

/** Writes soak.json (every sample) and soak.md into `dir`. */
export async function writeSoakResults(dir: string, results: SoakResults): Promise<void> {
  // One memory reading a line: 30 minutes for 15 services would otherwise be 27 000 lines.
  const json = JSON.stringify(results, null, 2).replace(
    /\[\n\s+(-?\d+),\n\s+(\d+),\n\s+(\d+)\n\s+\]/g,
    "[$1, $2, $3]",
  );
  await writeFile(join(dir, "soak.json"), `${json}\n`);
  await writeFile(join(dir, "soak.md"), soakMarkdown(results));
}
