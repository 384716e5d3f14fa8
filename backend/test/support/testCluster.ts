import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KafkaNodeSpec } from "../../src/kafka/brokerProperties.ts";
import { freeKafkaNodes } from "../../src/kafka/freeKafkaNodes.ts";
import { processesMentioning } from "./processes.ts";
import { ensureKafkaJars, type KafkaJars } from "../../src/kafka/kafkaJars.ts";
import { createLocalCluster, type LocalKafkaCluster } from "../../src/kafka/localCluster.ts";

export interface TestCluster {
  cluster: LocalKafkaCluster;
  jars: KafkaJars;
  /** Stops every node, fails if any JVM of it is still alive, and removes its directory. */
  destroy: () => Promise<void>;
}

export interface TestClusterOptions {
  /** Nodes of its own (by default three on free loopback ports). */
  nodes?: readonly KafkaNodeSpec[];
  onProgress?: (message: string) => void;
}

/** A 3-node cluster on free loopback ports in a fresh temporary directory (not yet started). */
export async function createTestCluster(
  label: string,
  options: TestClusterOptions = {},
): Promise<TestCluster> {
  const jars = await ensureKafkaJars();
  const nodes = options.nodes ?? (await freeKafkaNodes());
  const dir = await mkdtemp(join(tmpdir(), `blackout-${label}-`));
  const cluster = createLocalCluster({
    dir,
    jars,
    nodes,
    heapMb: 256,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    cluster,
    jars,
    async destroy() {
      try {
        await cluster.stop();
        const left = processesMentioning(dir);
        if (left.length > 0) throw new Error(`JVMs left behind by ${dir}: pids ${left.join(", ")}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A topic or group name no other test uses. */
export function uniqueName(prefix: string): string {
  return `test.${prefix}.${randomBytes(4).toString("hex")}`;
}
