// `npm run bench -- replay`: how long a new consumer takes to rebuild its view of a full topic and
// become ready. It starts the local 3-broker cluster (free ports, a temp directory), fills a topic
// made as the lab makes it with records as the producers write them (`{producer, seq, ts}`, keyed
// and partitioned by producer, each producer's seqs in order), then, run after run, starts a new
// consumer process as the lab does (its own main.ts, a group of its own) and times it from spawn
// to its `/readyz` answering 200: every partition read to the high watermarks seen at its start.
// Its log splits that into Node's start, the group join and the reading; memory is read at ready
// (VmRSS, V8's heap used) and counted per record over the same consumer with an empty view.
// Kafka's own ConsumerPerformance reads the same records from the same topic between the runs,
// for the rate a JVM client gets here.
//
//   npm run bench -- replay                                  # 1 000 000 records, 5 runs (~3 min)
//   npm run bench -- replay --records 100000 --runs 2 --kafka-runs 1 --out /tmp/replay
//   npm run bench -- replay --profile-dir /tmp/prof          # each consumer under --cpu-prof
//   npm run bench -- replay --baseline-backend /tmp/old/backend  # before/after, run by run
//
// Results: bench/results/replay.json (machine, versions, settings, every sample, the summary) and
// replay.md (the table); the table between the replay markers of docs/benchmarks.md is replaced
// when the results go to bench/results.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners, type Admin } from "kafkajs";
import { freeKafkaNodes } from "../backend/src/kafka/freeKafkaNodes.ts";
import { ensureKafkaJars, type KafkaJars } from "../backend/src/kafka/kafkaJars.ts";
import { runKafkaTool } from "../backend/src/kafka/kafkaTools.ts";
import { createLocalCluster } from "../backend/src/kafka/localCluster.ts";
import { encodeRecord, numbersTopicSpec } from "../backend/src/kafka/records.ts";
import { ensureTopic } from "../backend/src/kafka/topics.ts";
import { environmentWith } from "../backend/src/lib/config.ts";
import { freePorts } from "../backend/src/lib/freePorts.ts";
import { WaitAborted, waitFor } from "../backend/src/lib/waitFor.ts";
import { ownPartition } from "../backend/src/services/producer/ownPartition.ts";
import { commit, describeRun, get, resultHeader } from "./benchLab.ts";
import {
  markdownTable,
  parseConsumerPerf,
  startFromLog,
  summarize,
  type KafkaPerfSample,
  type ReplaySample,
} from "./replaySummary.ts";
import { resultsDir, updateBenchmarksDoc, updateReadmeFigures } from "./figures.ts";

const backendDir = join(import.meta.dirname, "../backend");
const gcOnSignal = join(import.meta.dirname, "gcOnSignal.ts");
/** Issue 17: a new consumer is ready within 10 s of a topic of 1 M records. */
const TARGET_MS = 10_000;
/** Records a fill request carries: large batches, as a bulk load would send them. */
const FILL_BATCH = 10_000;

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "replay"),
  options: {
    records: { type: "string", default: "1000000" },
    runs: { type: "string", default: "5" },
    "kafka-runs": { type: "string", default: "3" },
    /** The lab's default: 2 producers, each on the partition its id hashes to. */
    producers: { type: "string", default: "2" },
    /** The services' KAFKA_TOPIC_PARTITIONS default. */
    partitions: { type: "string", default: "6" },
    out: { type: "string", default: resultsDir },
    /** Each consumer's CPU profile, in <dir>/run-<n>/. */
    "profile-dir": { type: "string" },
    /** Said beside the figures in the results (what was changed for this run). */
    note: { type: "string" },
    /**
     * Another checkout's backend/ (an earlier commit, node_modules reachable from it): each run
     * also starts its consumer, on the same topic, so that before and after alternate.
     */
    "baseline-backend": { type: "string" },
  },
});
const records = Number(flags.records);
const runs = Number(flags.runs);
const kafkaRuns = Number(flags["kafka-runs"]);
const producers = Array.from({ length: Number(flags.producers) }, (_, i) => `producer-${i}`);
const partitions = Number(flags.partitions);
const outDir = resolve(flags.out);
const baselineDir =
  flags["baseline-backend"] === undefined ? undefined : resolve(flags["baseline-backend"]);
if (records % producers.length !== 0) {
  throw new Error(`--records must be a multiple of --producers (${producers.length})`);
}
const perProducer = records / producers.length;
// The default window (100 000 per producer) would drop most of the records: the view is to hold
// all of them, as the issue asks for the memory of a view of 1 M records.
const viewWindow = perProducer;

const dir = await mkdtemp(join(tmpdir(), "blackout-replay-"));
let consumer: ChildProcess | undefined;

function killConsumer(): void {
  if (consumer?.pid !== undefined && consumer.exitCode === null && consumer.signalCode === null) {
    process.kill(-consumer.pid, "SIGKILL");
  }
}

/** Fills the topic as the producers would, each producer's batches one after another. */
async function fill(kafka: Kafka, topic: string): Promise<number> {
  // The partitioner only silences kafkajs's v2 warning: every message names its partition.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const began = performance.now();
  try {
    await Promise.all(
      producers.map(async (id) => {
        const partition = ownPartition(topic, id, partitions);
        for (let from = 1; from <= perProducer; from += FILL_BATCH) {
          const ts = Date.now();
          const to = Math.min(perProducer, from + FILL_BATCH - 1);
          const messages = Array.from({ length: to - from + 1 }, (_, i) => ({
            ...encodeRecord({ producer: id, seq: from + i, ts }),
            partition,
          }));
          await producer.send({ topic, acks: -1, messages });
        }
      }),
    );
  } finally {
    await producer.disconnect();
  }
  return Math.round(performance.now() - began);
}

async function highWatermarks(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
}

function vmRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

function heapUsedBytes(metricsText: string): number | null {
  const value = /^blackout_consumer_nodejs_heap_size_used_bytes (\S+)$/m.exec(metricsText)?.[1];
  return value === undefined ? null : Number(value);
}

/** A new consumer process, as the lab starts one, from spawn to ready; stopped with SIGTERM. */
async function replay(
  brokers: string[],
  topic: string,
  run: number,
  backend = backendDir,
): Promise<ReplaySample> {
  const [port = 0] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const profile =
    flags["profile-dir"] === undefined
      ? []
      : [
          "--cpu-prof",
          `--cpu-prof-dir=${resolve(flags["profile-dir"], `${backend === backendDir ? "" : "baseline-"}run-${run}`)}`,
        ];
  const spawnedAt = Date.now();
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...profile,
      "--disable-warning=TimeoutNegativeWarning",
      "--expose-gc",
      "--import",
      gcOnSignal,
      "--import",
      "./src/lib/telemetry.ts",
      "src/services/consumer/main.ts",
    ],
    {
      cwd: backend,
      env: environmentWith({
        // A group of its own: a new member that owes nothing to an earlier run.
        CONSUMER_ID: `replay-${run}-${randomBytes(3).toString("hex")}`,
        KAFKA_BROKERS: brokers.join(","),
        KAFKA_TOPIC: topic,
        KAFKA_TOPIC_PARTITIONS: String(partitions),
        HTTP_PORT: String(port),
        VIEW_WINDOW: String(viewWindow),
        LOG_LEVEL: "info",
        // As the lab runs its services: a restarted consumer finds Node's compile cache warm.
        NODE_COMPILE_CACHE: join(dir, "node-compile-cache"),
      }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  consumer = child;
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new WaitAborted(`the consumer exited:\n${output.slice(-3000)}`);
        }
        return (await fetch(`${url}/readyz`)).status === 200;
      },
      { what: "the consumer to be ready", timeoutMs: 300_000, intervalMs: 20 },
    );
    const readyMs = Math.round(performance.now() - began);
    const rssBytes = vmRssBytes(child.pid ?? 0);
    const heap = heapUsedBytes(await (await get(`${url}/metrics`)).text());
    // The "caught up" line is written as readiness flips; the probe may see it first.
    await waitFor(() => output.includes('"caught up'), {
      what: "the consumer's ready log line",
      timeoutMs: 5000,
      intervalMs: 20,
    });
    // What the view keeps alive: the heap after a full collection (gcOnSignal.ts).
    child.kill("SIGUSR2");
    await sleep(1000);
    const afterGc = heapUsedBytes(await (await get(`${url}/metrics`)).text());
    const sample = {
      run,
      readyMs,
      ...startFromLog(output, spawnedAt),
      rssBytes,
      heapUsedBytes: heap,
      heapAfterGcBytes: afterGc,
      rssAfterGcBytes: vmRssBytes(child.pid ?? 0),
    };
    child.kill("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(30_000, false)]);
    if (!stopped) throw new Error(`the consumer did not stop on SIGTERM:\n${output.slice(-3000)}`);
    return sample;
  } finally {
    killConsumer();
    consumer = undefined;
  }
}

/** Kafka's ConsumerPerformance over the same topic, in a group of its own, timed from spawn. */
async function kafkaPerf(
  jars: KafkaJars,
  bootstrap: string,
  topic: string,
  run: number,
): Promise<KafkaPerfSample> {
  const began = performance.now();
  const output = await runKafkaTool(
    jars,
    "consumer-perf-test",
    [
      "--topic",
      topic,
      "--messages",
      String(records),
      "--group",
      `perf-${run}-${randomBytes(3).toString("hex")}`,
      "--timeout",
      "60000",
    ],
    bootstrap,
  );
  const wallMs = Math.round(performance.now() - began);
  const parsed = parseConsumerPerf(output);
  if (parsed === undefined) throw new Error(`unexpected consumer-perf-test output:\n${output}`);
  return { run, wallMs, ...parsed };
}

process.once("SIGINT", () => {
  killConsumer();
  process.exitCode = 130;
});

const jars = await ensureKafkaJars({ onProgress: console.log });
const cluster = createLocalCluster({
  dir: join(dir, "kafka"),
  jars,
  nodes: await freeKafkaNodes(),
});
/** Starts the cluster, fills the topic, then the runs; the cluster is gone when it returns. */
async function measure() {
  const samples: ReplaySample[] = [];
  const baselineSamples: ReplaySample[] = [];
  const kafkaSamples: KafkaPerfSample[] = [];
  try {
    const clusterBegan = performance.now();
    await cluster.start();
    const clusterStartMs = Math.round(performance.now() - clusterBegan);
    const brokers = cluster.bootstrapServers;
    const kafka = new Kafka({ clientId: "replay-bench", brokers, logLevel: logLevel.WARN });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `replay-${randomBytes(4).toString("hex")}`;
    const emptyTopic = `${topic}-empty`;
    let fillMs: number;
    try {
      for (const name of [topic, emptyTopic]) {
        await ensureTopic(admin, numbersTopicSpec(name, partitions));
      }
      console.log(`cluster up in ${clusterStartMs} ms; filling ${topic} with ${records} records`);
      fillMs = await fill(kafka, topic);
      const held = await highWatermarks(admin, topic);
      if (held !== records) throw new Error(`the topic holds ${held} records, expected ${records}`);
      console.log(`filled in ${fillMs} ms (${Math.round((records * 1000) / fillMs)} records/s)`);
    } finally {
      await admin.disconnect();
    }

    const empty = await replay(brokers, emptyTopic, 0);
    const baselineEmpty =
      baselineDir === undefined ? null : await replay(brokers, emptyTopic, 0, baselineDir);
    console.log(
      `empty view: RSS ${empty.rssBytes} B, heap used ${empty.heapUsedBytes} B ` +
        `(${empty.heapAfterGcBytes} B after a full GC)`,
    );
    for (let run = 1; run <= Math.max(runs, kafkaRuns); run++) {
      if (run <= runs) {
        const sample = await replay(brokers, topic, run);
        samples.push(sample);
        console.log(
          `run ${run}: ready in ${sample.readyMs} ms (listening ${sample.listeningMs}, joined ` +
            `${sample.joinedMs}, caught up ${sample.caughtUpMs}), view ${sample.viewRecords} ` +
            `records, RSS ${sample.rssBytes} B, heap used ${sample.heapUsedBytes} B ` +
            `(${sample.heapAfterGcBytes} B after a full GC)`,
        );
        if (baselineDir !== undefined) {
          const baseline = await replay(brokers, topic, run, baselineDir);
          baselineSamples.push(baseline);
          console.log(
            `baseline run ${run}: ready in ${baseline.readyMs} ms (joined ${baseline.joinedMs}, ` +
              `caught up ${baseline.caughtUpMs}), heap used ${baseline.heapUsedBytes} B`,
          );
        }
      }
      if (run <= kafkaRuns) {
        const sample = await kafkaPerf(jars, brokers.join(","), topic, run);
        kafkaSamples.push(sample);
        console.log(
          `Kafka ConsumerPerformance ${run}: ${sample.wallMs} ms from spawn, ` +
            `${sample.recordsPerSecond} records/s (${sample.fetchRecordsPerSecond} fetching)`,
        );
      }
    }
    return {
      clusterStartMs,
      fillMs,
      empty,
      samples,
      kafkaSamples,
      baseline: baselineEmpty === null ? null : { empty: baselineEmpty, samples: baselineSamples },
    };
  } finally {
    killConsumer();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const { clusterStartMs, fillMs, empty, samples, kafkaSamples, baseline } = await measure();
const summary = summarize({
  records,
  targetMs: TARGET_MS,
  samples,
  empty,
  kafka: kafkaSamples,
});
const baselineSummary =
  baseline === null
    ? null
    : summarize({
        records,
        targetMs: TARGET_MS,
        samples: baseline.samples,
        empty: baseline.empty,
        kafka: kafkaSamples,
      });
const header = resultHeader("replay");
// java -version prints on stderr.
const java = spawnSync("java", ["-version"], { encoding: "utf8" }).stderr.split("\n")[0] ?? "";
const results = {
  ...header,
  ...(flags.note === undefined ? {} : { note: flags.note }),
  versions: { ...header.versions, java },
  settings: {
    records,
    producers: producers.length,
    partitions,
    viewWindow,
    fillBatch: FILL_BATCH,
    runs,
    kafkaRuns,
    profiled: flags["profile-dir"] !== undefined,
  },
  clusterStartMs,
  fillMs,
  // Context only, not measured here: what kafkajs's published benchmarks report.
  kafkajsPublishedRecordsPerSecond: "120 000–150 000",
  summary,
  empty,
  samples,
  kafkaSamples,
  ...(baseline === null
    ? {}
    : { baseline: { backend: baselineDir, summary: baselineSummary, ...baseline } }),
};
const table = `${markdownTable(summary)}\n\n${describeRun(header)}; ${producers.length} producers × ${perProducer.toLocaleString("en")} records on ${partitions} partitions, VIEW_WINDOW ${viewWindow.toLocaleString("en")}; ${runs} consumers, ${kafkaRuns} ConsumerPerformance runs, commit ${commit}${flags["profile-dir"] === undefined ? "" : " (profiled)"}.`;
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, "replay.json"), `${JSON.stringify(results, null, 2)}\n`);
const baselineTable =
  baselineSummary === null
    ? ""
    : `\n\nThe baseline consumer (${baselineDir ?? ""}), run by run between these on the same topic:\n\n${markdownTable(baselineSummary)}\n`;
await writeFile(join(outDir, "replay.md"), `# Replay benchmark\n\n${table}\n${baselineTable}`);
console.log(`\n${table}\n${baselineTable}\n-> ${join(outDir, "replay.json")}, replay.md`);

// docs/benchmarks.md and the README show the latest published figures.
if (outDir === resultsDir) {
  await updateBenchmarksDoc("replay", `${table}\n`);
  await updateReadmeFigures();
}
