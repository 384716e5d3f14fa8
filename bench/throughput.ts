// `npm run bench -- throughput`: the highest rate the whole lab carries from the producers through
// Kafka and all three consumers to every simulated client, with end-to-end latency p99 ≤ 1 s, and
// beside it, on the same cluster in the same run, what Kafka's own ProducerPerformance and
// ConsumerPerformance reach with records of the same size.
//
// It starts the lab as `npm start` does (free ports, 2 producers, 3 consumers, a long-polling
// fleet), then steps the offered rate up through the producers' API (`PUT /api/rate`, half of the
// step each). At each step it lets the lab settle and measures over a window: records Kafka
// acknowledged, records each consumer read, fresh records each client received, consumer lag,
// the fleet's latency histogram, fell-behind and missing numbers, and every component's CPU.
// Kafka's tools run with the lab's producers paused, before the steps and after them.
//
//   npm run bench -- throughput                          # the default steps (about 12 min)
//   npm run bench -- throughput --steps 2000,20000 --window-s 10 --perf-records 300000
//   npm run bench -- throughput --fetch-min-bytes 65536 --fetch-max-wait-ms 100 --linger-ms 10 \
//     --out bench/results/throughput-batching      # the consumers and producers batching
//
// Results: bench/results/throughput.json (machine, versions, settings, every step) and
// throughput.md (the table).
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { ensureKafkaJars } from "../backend/src/kafka/kafkaJars.ts";
import { runKafkaTool } from "../backend/src/kafka/kafkaTools.ts";
import { encodeRecord, NUMBERS_TOPIC } from "../backend/src/kafka/records.ts";
import type { FleetSummary } from "../backend/src/services/clients/fleet.ts";
import type { ProducerState } from "../backend/src/services/producer/numberProducer.ts";
import {
  commit,
  describeRun,
  get,
  getJson,
  labComponents,
  labPorts,
  resultHeader,
  startLab,
  stopLab,
  stopOnInterrupt,
  type Lab,
} from "./benchLab.ts";
import {
  clockTicks,
  cpuTicks,
  machineCpuPercent,
  machineTicks,
  type CpuTicks,
} from "./procStat.ts";
import { scrape } from "./labMetrics.ts";
import { histogramPercentileMs, sumOf } from "./prometheusText.ts";
import { brokerRequestsPerSecond } from "./labCosts.ts";
import {
  highestConsumed,
  highestSustained,
  KAFKA_REQUESTS,
  markdownTable,
  parseConsumerPerf,
  parseProducerPerf,
  shortfalls,
  type ConsumerPerf,
  type ProducerPerf,
  type ThroughputStep,
} from "./throughputSummary.ts";
import { resultsDir, updateBenchmarksDoc, updateReadmeFigures } from "./figures.ts";

const PRODUCERS = 2;
const CONSUMERS = 3;
/** The lab's topic: Kafka's tools write one of their own with the same layout. */
const PARTITIONS = 6;
const PERF_TOPIC = "blackout.perf";

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "throughput"),
  options: {
    /** Total records per second offered, both producers together. */
    steps: { type: "string", default: "2000,5000,7500,10000,15000,20000,30000,40000" },
    "settle-s": { type: "string", default: "8" },
    "window-s": { type: "string", default: "20" },
    clients: { type: "string", default: "10" },
    "long-poll-ms": { type: "string", default: "1000" },
    /**
     * The lab's PRODUCERS_TRACE_RATIO. 1 % of the records, as the fleet samples 1 % of its polls:
     * tracing every record (the lab's default) cost Jaeger alone 16-22 % of a core at 5 000/s.
     */
    "producers-trace-ratio": { type: "string", default: "0.01" },
    /** Records per run of Kafka's producer tool: about 20 s at the rate it reached before; 0 skips the tools. */
    "perf-records": { type: "string", default: "1300000" },
    /** Steps in a row that may fail before the rest are skipped: the machine is saturated. */
    "failures-to-stop": { type: "string", default: "2" },
    out: { type: "string", default: join(import.meta.dirname, "results") },
    /**
     * Batching for high rates, passed to the lab (empty: the lab's defaults): the consumers'
     * fetch minBytes and fetch wait, and the producers' linger.
     */
    "fetch-min-bytes": { type: "string" },
    "fetch-max-wait-ms": { type: "string" },
    "linger-ms": { type: "string" },
    /** Keeps the run's component logs (warn and above) in <dir>. */
    "logs-dir": { type: "string" },
    /** Each Node service's CPU profile of the run, in <dir>/<service>/. */
    "profile-dir": { type: "string" },
  },
});
const steps = flags.steps.split(",").map((s) => Number(s.trim()));
if (steps.some((s) => !Number.isInteger(s) || s <= 0)) {
  throw new Error(`--steps: expected whole numbers of records per second, got "${flags.steps}"`);
}
const settleMs = Number(flags["settle-s"]) * 1000;
const windowMs = Number(flags["window-s"]) * 1000;
const clients = Number(flags.clients);
const longPollMs = Number(flags["long-poll-ms"]);
const perfRecords = Number(flags["perf-records"]);
const failuresToStop = Number(flags["failures-to-stop"]);
const outDir = resolve(flags.out);
/** The lab settings the batching flags give, each only when given. */
const batching: Record<string, string> = Object.fromEntries(
  (
    [
      ["CONSUMERS_FETCH_MIN_BYTES", flags["fetch-min-bytes"]],
      ["KAFKA_FETCH_MAX_WAIT_MS", flags["fetch-max-wait-ms"]],
      ["PRODUCERS_LINGER_MS", flags["linger-ms"]],
    ] as const
  ).flatMap(([setting, value]) => (value === undefined ? [] : [[setting, value]])),
);

const producerUrl = (lab: Lab, i: number) => lab.url("PRODUCER_PORT", i);
const consumerName = (i: number) => `consumer-${i}`;

async function forEachProducer(lab: Lab, path: string, init: RequestInit = {}): Promise<void> {
  await Promise.all(
    Array.from({ length: PRODUCERS }, (_, i) => get(`${producerUrl(lab, i)}${path}`, init)),
  );
}

async function setTotalRate(lab: Lab, total: number): Promise<void> {
  await forEachProducer(lab, "/api/rate", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ perSecond: total / PRODUCERS }),
  });
}

interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  ticks: Map<string, CpuTicks | undefined>;
  acknowledged: number;
  consumers: Map<string, number>[];
  summary: FleetSummary;
  fleet: Map<string, number>;
}

async function snapshot(lab: Lab, pids: ReadonlyMap<string, number>): Promise<Snapshot> {
  const at = performance.now();
  const ticks = new Map([...pids].map(([name, pid]) => [name, cpuTicks(pid)]));
  const machineNow = machineTicks();
  const [states, consumers, summary, fleet] = await Promise.all([
    Promise.all(
      Array.from({ length: PRODUCERS }, (_, i) =>
        getJson<ProducerState>(`${producerUrl(lab, i)}/api/state`),
      ),
    ),
    Promise.all(
      Array.from({ length: CONSUMERS }, (_, i) => scrape(`${lab.url("CONSUMER_PORT", i)}/metrics`)),
    ),
    getJson<FleetSummary>(`${lab.url("CLIENTS_PORT")}/api/summary`),
    scrape(`${lab.url("CLIENTS_PORT")}/metrics`),
  ]);
  const acknowledged = states.reduce((sum, s) => sum + s.lastAcknowledged, 0);
  return { at, machine: machineNow, ticks, acknowledged, consumers, summary, fleet };
}

async function componentPids(lab: Lab): Promise<Map<string, number>> {
  const components = await labComponents(lab);
  const pids = new Map<string, number>();
  if (lab.process.pid !== undefined) pids.set("supervisor", lab.process.pid);
  for (const component of components) {
    if (component.pid !== undefined) pids.set(component.name, component.pid);
  }
  return pids;
}

async function measureStep(lab: Lab, offered: number): Promise<ThroughputStep> {
  await setTotalRate(lab, offered);
  await sleep(settleMs);
  const pids = await componentPids(lab);
  const before = await snapshot(lab, pids);
  await sleep(windowMs);
  const after = await snapshot(lab, pids);
  const seconds = (after.at - before.at) / 1000;
  const perSecond = (n: number) => Math.round((n / seconds) * 10) / 10;
  const consumed = "blackout_consumer_records_consumed_total";
  const consumedPerSecond: Record<string, number> = {};
  const lagRecords: Record<string, number> = {};
  for (let i = 0; i < CONSUMERS; i++) {
    const start = before.consumers[i] ?? new Map<string, number>();
    const end = after.consumers[i] ?? new Map<string, number>();
    consumedPerSecond[consumerName(i)] = perSecond(sumOf(end, consumed) - sumOf(start, consumed));
    lagRecords[consumerName(i)] = sumOf(end, "blackout_consumer_lag_records");
  }
  const cpuPercent: Record<string, number> = {};
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (end === undefined || start === undefined) continue;
    const ticks = end.user + end.system - start.user - start.system;
    cpuPercent[name] = Math.round((ticks / clockTicks / seconds) * 1000) / 10;
  }
  const polls = (key: string) =>
    (after.fleet.get(`blackout_client_polls_total{result="${key}"}`) ?? 0) -
    (before.fleet.get(`blackout_client_polls_total{result="${key}"}`) ?? 0);
  const latency = "blackout_client_latency_seconds";
  const kafkaRequestsPerSecond = await brokerRequestsPerSecond(
    lab.url("PROMETHEUS_PORT"),
    KAFKA_REQUESTS,
    Math.round(seconds),
  );
  const answered = polls("ok") + polls("stale");
  return {
    offeredPerSecond: offered,
    windowS: Math.round(seconds * 10) / 10,
    producedPerSecond: perSecond(after.acknowledged - before.acknowledged),
    consumedPerSecond,
    seenPerClientPerSecond: perSecond(
      (after.summary.freshRecords - before.summary.freshRecords) / clients,
    ),
    lagRecords,
    latencyP50Ms: histogramPercentileMs(before.fleet, after.fleet, latency, 0.5),
    latencyP99Ms: histogramPercentileMs(before.fleet, after.fleet, latency, 0.99),
    fellBehind: after.summary.fellBehind - before.summary.fellBehind,
    missing: after.summary.missing,
    pollsPerSecond: perSecond(answered),
    recordsPerAnswer:
      answered === 0
        ? 0
        : Math.round(((after.summary.freshRecords - before.summary.freshRecords) / answered) * 10) /
          10,
    failedPolls: polls("failed") + polls("timeout") + polls("refused"),
    kafkaRequestsPerSecond,
    cpuPercent,
    machineCpuPercent: machineCpuPercent(before.machine, after.machine),
  };
}

interface Reference {
  when: "before the steps" | "after the steps";
  producer: ProducerPerf;
  consumer: ConsumerPerf;
  producerOutput: string;
  consumerOutput: string;
}

/** Kafka's own tools on a topic laid out like the lab's, with the lab's producers paused. */
async function reference(
  lab: Lab,
  when: Reference["when"],
  recordSize: number,
  round: number,
): Promise<Reference> {
  const jars = await ensureKafkaJars({ onProgress: console.log });
  const bootstrap = lab.ports.KAFKA_BROKER_PORTS?.split(",")
    .map((port) => `127.0.0.1:${port}`)
    .join(",");
  if (bootstrap === undefined) throw new Error("the lab has no broker ports");
  await forEachProducer(lab, "/api/pause", { method: "POST" });
  try {
    await runKafkaTool(
      jars,
      "topics",
      [
        "--create",
        "--if-not-exists",
        "--topic",
        PERF_TOPIC,
        "--partitions",
        String(PARTITIONS),
        "--replication-factor",
        "3",
        "--config",
        "min.insync.replicas=2",
      ],
      bootstrap,
    );
    const producerOutput = await runKafkaTool(
      jars,
      "producer-perf-test",
      [
        "--topic",
        PERF_TOPIC,
        "--num-records",
        String(perfRecords),
        "--record-size",
        String(recordSize),
        "--throughput",
        "-1",
        "--producer-props",
        "acks=all",
        `bootstrap.servers=${bootstrap}`,
      ],
      bootstrap,
    );
    const consumerOutput = await runKafkaTool(
      jars,
      "consumer-perf-test",
      [
        "--topic",
        PERF_TOPIC,
        "--num-records",
        String(perfRecords),
        "--group",
        `blackout-perf-${round}`,
        "--timeout",
        "60000",
      ],
      bootstrap,
    );
    return {
      when,
      producer: parseProducerPerf(producerOutput),
      consumer: parseConsumerPerf(consumerOutput),
      producerOutput: producerOutput.trim().split("\n").slice(-1).join(""),
      consumerOutput: consumerOutput.trim(),
    };
  } finally {
    await forEachProducer(lab, "/api/resume", { method: "POST" });
  }
}

const dataDir = await mkdtemp(join(tmpdir(), "blackout-bench-throughput-"));
stopOnInterrupt(dataDir);
const ports = await labPorts();
// The value our producers write, at the sequence numbers the run reaches: Kafka's tools write
// records of the same size (ours carry a 10-byte key besides, theirs none).
const seqAtEnd = steps.reduce(
  (sum, rate) => sum + ((rate / PRODUCERS) * (settleMs + windowMs)) / 1000,
  0,
);
const recordSize = Buffer.byteLength(
  encodeRecord({ producer: "producer-0", seq: Math.round(seqAtEnd), ts: Date.now() }).value,
);
const measured: ThroughputStep[] = [];
const references: Reference[] = [];
try {
  console.log(`starting the lab: ${clients} clients long-polling ${longPollMs} ms`);
  const lab = await startLab(dataDir, ports, {
    PRODUCERS: String(PRODUCERS),
    CONSUMERS: String(CONSUMERS),
    CLIENTS: String(clients),
    LONG_POLL_MS: String(longPollMs),
    PRODUCERS_TRACE_RATIO: flags["producers-trace-ratio"],
    ...batching,
    ...(flags["profile-dir"] === undefined
      ? {}
      : { NODE_PROFILE_DIR: resolve(flags["profile-dir"]) }),
  });
  try {
    if (perfRecords > 0) {
      references.push(await reference(lab, "before the steps", recordSize, 1));
      console.log(`Kafka's tools, ${recordSize}-byte records: ${JSON.stringify(references[0])}`);
    }
    let failures = 0;
    for (const offered of steps) {
      if (failures >= failuresToStop) break;
      const step = await measureStep(lab, offered);
      measured.push(step);
      const reasons = shortfalls(step);
      failures = reasons.length === 0 ? 0 : failures + 1;
      console.log(
        `${offered}/s offered: produced ${step.producedPerSecond}/s, consumed ${JSON.stringify(step.consumedPerSecond)}, ` +
          `clients ${step.seenPerClientPerSecond}/s each (${step.pollsPerSecond} polls/s, ${step.recordsPerAnswer} records an answer), p99 ≤ ${step.latencyP99Ms} ms, cpu ${JSON.stringify(step.cpuPercent)} ` +
          `-> ${reasons.length === 0 ? "holds" : `does not hold: ${reasons.join("; ")}`}`,
      );
    }
    await setTotalRate(lab, 0);
    if (perfRecords > 0) {
      references.push(await reference(lab, "after the steps", recordSize, 2));
      console.log(`Kafka's tools again: ${JSON.stringify(references[1])}`);
    }
  } finally {
    await stopLab(lab);
    if (flags["logs-dir"] !== undefined) {
      await cp(join(dataDir, "logs"), resolve(flags["logs-dir"]), { recursive: true });
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

const best = highestSustained(measured);
const consumedBest = highestConsumed(measured);
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const kafkaProducer = mean(references.map((r) => r.producer.recordsPerSecond));
const kafkaConsumer = mean(references.map((r) => r.consumer.fetchRecordsPerSecond));
const ours = best?.seenPerClientPerSecond ?? 0;
const ratio = Math.round((ours / kafkaProducer) * 100) / 100;
const header = resultHeader("throughput");
const results = {
  ...header,
  settings: {
    producers: PRODUCERS,
    consumers: CONSUMERS,
    clients,
    longPollMs,
    producersTraceRatio: Number(flags["producers-trace-ratio"]),
    settleS: settleMs / 1000,
    windowS: windowMs / 1000,
    topic: { ours: NUMBERS_TOPIC, kafkaTools: PERF_TOPIC, partitions: PARTITIONS, replication: 3 },
    recordValueBytes: recordSize,
    perfRecords,
    referenceRuns: "with the lab's producers paused (consumers and clients running, idle)",
    profiled: flags["profile-dir"] !== undefined,
    batching,
  },
  summary: {
    highestSustainedOfferedPerSecond: best?.offeredPerSecond ?? null,
    endToEndPerSecond: ours,
    highestConsumedOfferedPerSecond: consumedBest?.offeredPerSecond ?? null,
    throughConsumersPerSecond: consumedBest?.producedPerSecond ?? 0,
    kafkaProducerPerSecond: Math.round(kafkaProducer),
    kafkaConsumerFetchPerSecond: Math.round(kafkaConsumer),
    oursOverKafkaProducer: ratio,
    targetHalfOfKafkaProducerMet: ours >= kafkaProducer / 2,
  },
  references,
  steps: measured.map((s) => ({
    ...s,
    holds: shortfalls(s).length === 0,
    shortfalls: shortfalls(s),
  })),
};
const referenceLines = references
  .map(
    (r) =>
      `- Kafka's tools ${r.when}: ProducerPerformance ${Math.round(r.producer.recordsPerSecond)} records/s (acks=all, p99 ${r.producer.p99Ms} ms), ConsumerPerformance ${Math.round(r.consumer.fetchRecordsPerSecond)} records/s fetching (${Math.round(r.consumer.recordsPerSecond)}/s with its group join)`,
  )
  .join("\n");
const table = `${markdownTable(measured)}\n\n${referenceLines}\n- ours end to end: ${ours === 0 ? "no step held" : `${Math.round(ours)} records/s (offered ${best?.offeredPerSecond}/s)`}, ${ratio}× Kafka's producer tool (target 0.5×)\n- through Kafka and all 3 consumers (the fleet aside): ${consumedBest === undefined ? "no step held" : `${Math.round(consumedBest.producedPerSecond)} records/s (offered ${consumedBest.offeredPerSecond}/s), ${Math.round((consumedBest.producedPerSecond / kafkaProducer) * 100) / 100}× Kafka's producer tool`}\n\n${describeRun(header)}; ${PRODUCERS} producers, ${CONSUMERS} consumers, ${clients} clients long-polling ${longPollMs} ms; producers trace ${Number(flags["producers-trace-ratio"]) * 100} % of records; ${recordSize}-byte values; ${settleMs / 1000} s settle + ${windowMs / 1000} s window per step${
  Object.keys(batching).length === 0
    ? ""
    : `; ${Object.entries(batching)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}`
}; commit ${commit}.`;
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, "throughput.json"), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(outDir, "throughput.md"), `# Throughput benchmark\n\n${table}\n`);
console.log(`\n${table}\n-> ${join(outDir, "throughput.json")}, throughput.md`);
// docs/benchmarks.md and the README show the latest published figures.
if (outDir === resultsDir) {
  await updateBenchmarksDoc("throughput", `${table}\n`);
  await updateReadmeFigures();
}
