// `npm run bench -- failover`: how long each fault hurts, against the floor Kafka sets for it.
// For each settings (the lab's typical ones, then `--tuned`) it starts the whole local lab as
// `npm start` does, lets it settle, and injects each fault through control's API one at a time,
// repetition after repetition (the faults interleaved, so that a noisy minute does not land on one
// fault only). Each repetition waits for control's fault report to complete (pod, client and lag
// recovery, what the ledgers counted) and for the lab to be whole again; meanwhile it polls the
// producers every 100 ms for their longest wait for an acknowledgment. The floor of each fault is
// control's: read from the running brokers' configuration and the consumers' group settings.
//
//   npm run bench -- failover                       # 6 faults × 5 repetitions × 2 settings (~75 min)
//   npm run bench -- failover --reps 1 --faults consumer-hard,broker-hard --settings tuned --out /tmp/f
//   npm run bench -- failover --faults consumer-hard --settings typical --clients 300 \
//     --out bench/results/failover-300-clients       # a consumer kill under a larger fleet
//
// Results: bench/results/failover.json (machine, versions, settings, every sample), failover.md
// (the table) and failover.svg (the chart); the table between the failover markers of
// docs/benchmarks.md is replaced when the results go to bench/results.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { waitFor } from "../backend/src/lib/waitFor.ts";
import type { Fault } from "../backend/src/contract/fault.ts";
import type { TargetView } from "../backend/src/contract/targets.ts";
import {
  commit,
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
import { labCosts, type LabCosts } from "./labCosts.ts";
import {
  markdownTable,
  renderFailoverChart,
  summarize,
  type FailoverSample,
} from "./failoverSummary.ts";
import { resultsDir, updateBenchmarksDoc, updateReadmeFigures } from "./figures.ts";

const FAULTS = {
  "consumer-hard": { label: "consumer hard kill", kind: "consumer", mode: "hard" },
  "consumer-graceful": { label: "consumer graceful stop", kind: "consumer", mode: "graceful" },
  "producer-hard": { label: "producer hard kill", kind: "producer", mode: "hard" },
  "broker-hard": { label: "broker hard kill (a leader)", kind: "broker", mode: "hard" },
  "broker-graceful": { label: "broker graceful stop", kind: "broker", mode: "graceful" },
  "controller-hard": { label: "active controller hard kill", kind: "controller", mode: "hard" },
} as const;
type FaultKey = keyof typeof FAULTS;

const SETTINGS: Readonly<Record<string, Record<string, string>>> = {
  typical: {},
  tuned: { TUNED: "true" },
};

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "failover"),
  options: {
    reps: { type: "string", default: "5" },
    faults: { type: "string", default: Object.keys(FAULTS).join(",") },
    settings: { type: "string", default: "typical,tuned" },
    /**
     * After the lab is whole again, before the next fault. Control takes each fault's steady
     * state (the clients' latency, the consumers' lag) from the minute before t0: 55 s after a
     * report completes (5 s after the recovery) keeps the previous fault out of that minute.
     */
    "settle-s": { type: "string", default: "55" },
    out: { type: "string", default: join(import.meta.dirname, "results") },
    /** The fleet during the faults, e.g. `--clients 300 --poll-ms 500` for a fault under load. */
    clients: { type: "string", default: "20" },
    "poll-ms": { type: "string", default: "500" },
  },
});
const reps = Number(flags.reps);
const settleMs = Number(flags["settle-s"]) * 1000;
const faultKeys = flags.faults.split(",").map((key) => {
  if (!(key in FAULTS)) {
    throw new Error(`--faults: unknown fault "${key}": expected ${Object.keys(FAULTS).join(", ")}`);
  }
  return key as FaultKey;
});
const settingsNames = flags.settings.split(",").map((name) => {
  if (SETTINGS[name] === undefined) throw new Error(`--settings: expected typical and/or tuned`);
  return name;
});
if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps: expected a whole number ≥ 1");
const outDir = resolve(flags.out);

/** The lab's control API. */
const control = (lab: Lab, path: string) => `${lab.url("CONTROL_PORT")}${path}`;

/** A broker that leads a partition and is not the active controller, rotating by repetition. */
async function leaderNotController(lab: Lab, rep: number): Promise<string> {
  const brokers = (await getJson<TargetView[]>(control(lab, "/api/targets"))).filter(
    (t) => t.kind === "broker" && t.controller !== true,
  );
  const leaders = brokers.filter((t) => (t.leads ?? []).length > 0);
  const pool = leaders.length > 0 ? leaders : brokers;
  const picked = pool[rep % pool.length];
  if (picked === undefined) throw new Error("no broker other than the active controller");
  return picked.name;
}

async function targetOf(
  lab: Lab,
  key: FaultKey,
  rep: number,
  counts: { producers: number; consumers: number },
): Promise<string> {
  switch (FAULTS[key].kind) {
    case "consumer":
      return `consumer-${rep % counts.consumers}`;
    case "producer":
      return `producer-${rep % counts.producers}`;
    case "broker":
      return leaderNotController(lab, rep);
    case "controller":
      return "controller";
  }
}

/**
 * Polls every producer's last acknowledged number every 100 ms: the longest stretch without a new
 * acknowledgment, from the start until stopped (a dead producer does not answer: its stretch runs
 * until its replacement is acknowledged again).
 */
function watchProducers(lab: Lab, producers: number): { stop(): Promise<number> } {
  const started = Date.now();
  const last = new Map<number, { value: number; at: number }>();
  let longest = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(
        Array.from({ length: producers }, async (_, i) => {
          try {
            const { lastAcknowledged } = await getJson<{ lastAcknowledged: number }>(
              `${lab.url("PRODUCER_PORT", i)}/api/state`,
              { signal: AbortSignal.timeout(300) },
            );
            const now = Date.now();
            const seen = last.get(i) ?? { value: lastAcknowledged, at: started };
            if (lastAcknowledged > seen.value || !last.has(i)) {
              longest = Math.max(longest, now - seen.at);
              last.set(i, { value: lastAcknowledged, at: now });
            }
          } catch {
            // Killed, restarting or frozen: exactly the stretch being measured.
          }
        }),
      );
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const now = Date.now();
      for (let i = 0; i < producers; i++)
        longest = Math.max(longest, now - (last.get(i)?.at ?? started));
      return longest;
    },
  };
}

async function inject(lab: Lab, target: string, mode: string): Promise<Fault> {
  // A guard may refuse for a moment (MIN_ALIVE while a replacement is still catching up).
  return waitFor(
    async () => {
      const response = await fetch(control(lab, "/api/faults"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "kill", target, mode }),
      });
      if (response.status === 201) return (await response.json()) as Fault;
      throw new Error(`control refused ${mode} kill of ${target}: ${await response.text()}`);
    },
    { what: `a ${mode} kill of ${target}`, timeoutMs: 60_000, intervalMs: 2000 },
  );
}

async function measureOnce(
  lab: Lab,
  settings: string,
  key: FaultKey,
  rep: number,
  counts: { producers: number; consumers: number },
): Promise<FailoverSample> {
  await waitFor(() => whole(lab), {
    what: "the lab to be whole",
    timeoutMs: 180_000,
    intervalMs: 1000,
  });
  await sleep(settleMs);
  const target = await targetOf(lab, key, rep, counts);
  const producers = watchProducers(lab, counts.producers);
  let fault: Fault;
  let producerStallMs: number;
  try {
    const injected = await inject(lab, target, FAULTS[key].mode);
    fault = await waitFor(
      async () => {
        const current = await getJson<Fault>(
          control(lab, `/api/faults/${encodeURIComponent(injected.id)}`),
        );
        return current.report.status === "complete" ? current : undefined;
      },
      // Control closes a report after its window (FAULT_WINDOW_MS, 180 s) at the latest.
      { what: `the report of ${injected.id}`, timeoutMs: 240_000, intervalMs: 1000 },
    );
  } finally {
    // Stopped on failure too, so the loop does not keep the process alive.
    producerStallMs = await producers.stop();
  }
  const { report } = fault;
  const recovery = report.clientRecovery;
  const noticed = recovery === null ? 0 : recovery.clients - recovery.neverNoticed;
  // No client noticed (the gateway routed around it): recovered at once, as users saw it.
  const client =
    recovery !== null && noticed === 0
      ? { p50Ms: 0, p99Ms: 0, maxMs: 0 }
      : {
          p50Ms: recovery?.p50Ms ?? null,
          p99Ms: recovery?.p99Ms ?? null,
          maxMs: recovery?.maxMs ?? null,
        };
  return {
    settings,
    fault: FAULTS[key].label,
    rep,
    faultId: fault.id,
    target: fault.target,
    podMs: report.podRecoveryMs,
    client,
    clientsNoticed: noticed,
    lagMs: report.lagRecoveryMs,
    producerStallMs,
    missing: report.totals?.missing ?? 0,
    duplicates: report.totals?.duplicates ?? 0,
    staleReads: report.totals?.staleReads ?? 0,
    failedPolls: report.totals?.failedPolls ?? 0,
    floor: fault.floor ?? null,
    timedOut: report.timedOut,
  };
}

function costsTable(
  rows: readonly { settings: string; costs: LabCosts; brokerFaults: number }[],
): string {
  const names = Object.keys(rows[0]?.costs.requestsPerSecond ?? {});
  return [
    `| settings | ${names.map((n) => `${n}/s`).join(" | ")} | fencings | broker faults |`,
    `|---|${names.map(() => "---|").join("")}---|---|`,
    ...rows.map(
      (r) =>
        `| ${r.settings} | ${names.map((n) => String(r.costs.requestsPerSecond[n] ?? 0)).join(" | ")} | ${r.costs.fencingEpisodes} | ${r.brokerFaults} |`,
    ),
  ].join("\n");
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

const dataDir = await mkdtemp(join(tmpdir(), "blackout-bench-failover-"));
stopOnInterrupt(dataDir);
const ports = await labPorts();
const samples: FailoverSample[] = [];
const labs: {
  settings: string;
  failoverSettings: string;
  costs: LabCosts;
  /** Broker faults injected (each fences its broker once, a graceful stop included). */
  brokerFaults: number;
}[] = [];
const counts = { producers: 2, consumers: 3 };
const fleet = { clients: Number(flags.clients), pollMs: Number(flags["poll-ms"]) };
try {
  for (const settings of settingsNames) {
    console.log(`${settings} settings: starting the lab`);
    // Each settings from an empty topic: a restarted consumer rebuilds its view from the earliest
    // offset, so records left by the settings before would slow these consumers' recoveries.
    await rm(join(dataDir, "kafka"), { recursive: true, force: true });
    const lab = await startLab(dataDir, ports, {
      ...SETTINGS[settings],
      PRODUCERS: String(counts.producers),
      CONSUMERS: String(counts.consumers),
      CLIENTS: String(fleet.clients),
      POLL_MS: String(fleet.pollMs),
    });
    const labUpAt = Date.now();
    try {
      for (let rep = 0; rep < reps; rep++) {
        for (const key of faultKeys) {
          const sample = await measureOnce(lab, settings, key, rep, counts);
          samples.push(sample);
          console.log(
            `  ${settings} ${sample.fault} #${rep + 1} (${sample.target}): pod ${seconds(sample.podMs)}, client p99 ${seconds(sample.client.p99Ms)}, lag ${seconds(sample.lagMs)}, producer stall ${seconds(sample.producerStallMs)}, floor ${seconds(sample.floor?.ms ?? null)}, missing ${sample.missing}, duplicates ${sample.duplicates}${sample.timedOut ? ", timed out" : ""}`,
          );
        }
      }
      await waitFor(() => whole(lab), {
        what: "the lab to be whole",
        timeoutMs: 180_000,
        intervalMs: 1000,
      });
      labs.push({
        settings,
        failoverSettings: /failover settings[^\n]*/.exec(lab.output())?.[0] ?? "",
        costs: await labCosts(lab.url("PROMETHEUS_PORT"), labUpAt, Date.now()),
        brokerFaults: samples.filter(
          (s) => s.settings === settings && /broker|controller/.test(s.fault),
        ).length,
      });
    } finally {
      await stopLab(lab);
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

const rows = summarize(samples);
const header = resultHeader("failover");
const results = {
  ...header,
  reps,
  settleS: settleMs / 1000,
  lab: { ...counts, ...fleet, labs },
  rows,
  samples,
};
const floors = [
  ...new Map(
    rows
      .filter((r) => r.floorBecause !== null)
      .map((r) => [`${r.settings}: ${r.fault}`, r.floorBecause]),
  ).entries(),
]
  .map(([which, because]) => `- ${which}: ${because}`)
  .join("\n");
const table = `${markdownTable(rows)}\n\n${describeRun(header)}; ${fleet.clients} clients polling every ${fleet.pollMs} ms; ${reps} repetitions of each fault, commit ${commit}. Times in seconds from t0; client is each repetition's fleet p99; ratios are p50 ÷ floor.`;
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, "failover.json"), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(
  join(outDir, "failover.md"),
  `# Failover benchmark\n\n${table}\n\nThe floors, read from the running lab:\n\n${floors}\n\n${labs.map((l) => `- ${l.settings}: ${l.failoverSettings}`).join("\n")}\n\nWhat the settings cost, over each whole lab run (the brokers' request counters, and how often the active controller's count of fenced brokers rose from 0: each broker fault fences its broker once, anything beyond that is a false fencing):\n\n${costsTable(labs)}\n\n![recovery per fault](failover.svg)\n`,
);
await writeFile(join(outDir, "failover.svg"), renderFailoverChart(rows));
console.log(`-> ${join(outDir, "failover.json")}, failover.md, failover.svg`);

// docs/benchmarks.md and the README show the latest published figures.
if (outDir === resultsDir) await updateBenchmarksDoc("failover", `${table}\n`);
if (outDir.startsWith(resultsDir)) await updateReadmeFigures();
