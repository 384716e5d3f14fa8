// `npm run bench`: how long the local 3-node Kafka cluster takes to come up on this machine.
// Cold = fresh data directory (storage format included, jar resolution excluded: the jars are
// resolved first); warm = the same directory again, as a second `npm start` would find it.
import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { ensureKafkaJars } from "../backend/src/kafka/kafkaJars.ts";
import { createLocalCluster } from "../backend/src/kafka/localCluster.ts";
import { freeKafkaNodes } from "../backend/src/kafka/freeKafkaNodes.ts";
import { updateReadmeFigures } from "./figures.ts";

const ROUNDS = 3;
const resultsDir = join(import.meta.dirname, "results");

const jars = await ensureKafkaJars({ onProgress: console.log });
const samples: { round: number; coldMs: number; warmMs: number; stopMs: number }[] = [];

async function timed(action: () => Promise<void>): Promise<number> {
  const began = performance.now();
  await action();
  return Math.round(performance.now() - began);
}

for (let round = 1; round <= ROUNDS; round++) {
  const dir = await mkdtemp(join(tmpdir(), "blackout-bench-"));
  const cluster = createLocalCluster({
    dir,
    jars,
    nodes: await freeKafkaNodes(),
  });
  try {
    const coldMs = await timed(() => cluster.start());
    const stopMs = await timed(() => cluster.stop());
    const warmMs = await timed(() => cluster.start());
    samples.push({ round, coldMs, warmMs, stopMs });
    console.log(`round ${round}: cold ${coldMs} ms, warm ${warmMs} ms, stop ${stopMs} ms`);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
// java -version prints on stderr.
const javaVersion = spawnSync("java", ["-version"], { encoding: "utf8" }).stderr;
const result = {
  benchmark: "cluster-start",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  java: javaVersion.split("\n")[0] ?? "",
  kafka: jars.version,
  heapMbPerNode: 384,
  rounds: samples,
  medianMs: {
    cold: median(samples.map((s) => s.coldMs)),
    warm: median(samples.map((s) => s.warmMs)),
    stop: median(samples.map((s) => s.stopMs)),
  },
};
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, "cluster-start.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `median over ${ROUNDS} rounds: cold ${result.medianMs.cold} ms, warm ${result.medianMs.warm} ms, ` +
    `stop ${result.medianMs.stop} ms -> bench/results/cluster-start.json`,
);
await updateReadmeFigures();
