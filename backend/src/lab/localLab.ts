import { rm } from "node:fs/promises";
import { join } from "node:path";
import { kafkaNodes } from "../kafka/brokerProperties.ts";
import { ensureKafkaJars, KAFKA_VERSION } from "../kafka/kafkaJars.ts";
import { createLocalCluster, type LocalKafkaCluster } from "../kafka/localCluster.ts";
import type { LabConfig } from "./labConfig.ts";

export interface LocalLab {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalLabOptions {
  /** Wipe broker data first (`npm start -- --fresh`). */
  fresh: boolean;
  print: (line: string) => void;
}

/**
 * The whole lab on one machine. At this stage it runs the Kafka cluster only; producers,
 * consumers, gateway, clients and control join it as they are built.
 */
export function createLocalLab(config: LabConfig, options: LocalLabOptions): LocalLab {
  const began = performance.now();
  const print = (line: string): void => {
    const seconds = ((performance.now() - began) / 1000).toFixed(1).padStart(5);
    options.print(`[${seconds}s] ${line}`);
  };
  const kafkaDir = join(config.BLACKOUT_DATA_DIR, "kafka");
  let cluster: LocalKafkaCluster | undefined;

  return {
    async start() {
      print(`Blackout lab: Kafka ${KAFKA_VERSION}, 3 KRaft nodes (Kafka only for now)`);
      const jars = await ensureKafkaJars({
        cacheDir: config.BLACKOUT_CACHE_DIR,
        onProgress: print,
      });
      if (options.fresh) {
        await rm(kafkaDir, { recursive: true, force: true });
        print(`wiped ${kafkaDir}`);
      }
      cluster = createLocalCluster({
        dir: kafkaDir,
        jars,
        heapMb: config.KAFKA_HEAP_MB,
        jvmOptions: config.KAFKA_JVM_OPTS,
        nodes: kafkaNodes(config.KAFKA_BROKER_PORTS, config.KAFKA_CONTROLLER_PORTS),
        onProgress: print,
      });
      await cluster.start();
      const bootstrap = cluster.bootstrapServers.join(",");
      options.print(
        [
          "",
          "Blackout lab is up.",
          `  Kafka bootstrap servers  ${bootstrap}`,
          `  broker data and logs     ${kafkaDir}`,
          `  Kafka's own tools        npm run kafka -- topics --list`,
          "Producers, consumers, gateway, clients and the dashboard are not built yet.",
          "Ctrl-C stops everything.",
        ].join("\n"),
      );
    },
    async stop() {
      print("stopping Kafka (SIGTERM, then SIGKILL after 20 s)");
      await cluster?.stop();
      print("stopped");
    },
  };
}
