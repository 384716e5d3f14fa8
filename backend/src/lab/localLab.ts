import { existsSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import {
  createLocalSupervisor,
  type LocalSupervisor,
} from "../chaos/supervisor/localSupervisor.ts";
import { createSupervisorApp } from "../chaos/supervisor/supervisorApp.ts";
import { createSupervisorMetrics } from "../chaos/supervisor/supervisorMetrics.ts";
import { kafkaNodes } from "../kafka/brokerProperties.ts";
import { ensureJmxExporterAgent } from "../kafka/jmxExporterAgent.ts";
import { ensureKafkaJars, KAFKA_VERSION } from "../kafka/kafkaJars.ts";
import { createLocalCluster } from "../kafka/localCluster.ts";
import { listen, type RunningServer } from "../lib/httpApp.ts";
import { createLogger } from "../lib/logger.ts";
import { planLab, type LabPlan } from "./labComponents.ts";
import type { LabConfig } from "./labConfig.ts";
import { describeError } from "../lib/processFailures.ts";
import { ensureJaeger } from "../traces/jaegerBinary.ts";
import { jaegerConfig } from "../traces/jaegerConfig.ts";
import { labTuning } from "./labTuning.ts";
import { PROMETHEUS_RULES_DIR, prometheusConfig } from "./prometheusConfig.ts";

export interface LocalLab {
  start(): Promise<LabPlan["urls"]>;
  stop(): Promise<void>;
}

export interface LocalLabOptions {
  /** Wipe broker data first (`npm start -- --fresh`). */
  fresh: boolean;
  /** Only the brokers, for running services by hand (`npm start -- --kafka-only`). */
  kafkaOnly: boolean;
  print: (line: string) => void;
  /** The Node binary for the services. */
  nodeBin: string;
}

/** The first `name` on PATH, or undefined. */
function onPath(name: string, path: string): string | undefined {
  return path
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

/**
 * The whole lab on one machine (DESIGN §3): Kafka's three nodes, producers, consumers, the
 * gateway, the client fleet, control, and Prometheus when it is installed, each a child process
 * of one supervisor that restarts what dies, as Kubernetes would. Control drives the supervisor
 * through its loopback API.
 */
export function createLocalLab(config: LabConfig, options: LocalLabOptions): LocalLab {
  const began = performance.now();
  const print = (line: string): void => {
    const seconds = ((performance.now() - began) / 1000).toFixed(1).padStart(5);
    options.print(`[${seconds}s] ${line}`);
  };
  const dataDir = config.BLACKOUT_DATA_DIR;
  const kafkaDir = join(dataDir, "kafka");
  const logDir = join(dataDir, "logs");
  const supervisorMetrics = createSupervisorMetrics();
  const supervisor: LocalSupervisor = createLocalSupervisor({
    restartDelayMs: config.RESTART_DELAY_MS,
    metrics: supervisorMetrics,
    onProgress: print,
  });
  let api: RunningServer | undefined;

  /** Jaeger's binary (built by bootstrap) and its configuration, or undefined without it. */
  async function traceBackend(
    dir: string,
  ): Promise<{ bin: string; configFile: string } | undefined> {
    try {
      const { path } = await ensureJaeger({ cacheDir: config.BLACKOUT_CACHE_DIR, build: false });
      await mkdir(dir, { recursive: true });
      const configFile = join(dir, "jaeger.yaml");
      await writeFile(
        configFile,
        jaegerConfig({
          otlpHttp: config.TRACES_OTLP_PORT,
          query: config.TRACES_QUERY_PORT,
          queryGrpc: config.TRACES_QUERY_GRPC_PORT,
        }),
      );
      return { bin: path, configFile };
    } catch (error) {
      print(`traces off: ${describeError(error)}`);
      return undefined;
    }
  }

  return {
    async start() {
      const tuning = labTuning(config);
      print(
        `Blackout lab: Kafka ${KAFKA_VERSION} (3 KRaft nodes), ${config.PRODUCERS} producers, ${config.CONSUMERS} consumers, ${config.CLIENTS} clients`,
      );
      print(
        `failover settings${config.TUNED ? " (--tuned)" : ""}: consumer session ${tuning.SESSION_TIMEOUT_MS} ms${tuning.TAKE_OVER_GROUP ? " (a restarted consumer takes its group over)" : ""}, broker session ${tuning.BROKER_SESSION_TIMEOUT_MS} ms (heartbeat ${tuning.BROKER_HEARTBEAT_INTERVAL_MS} ms), Kafka client retries from ${tuning.KAFKA_RETRY_INITIAL_MS} ms up to ${tuning.KAFKA_RETRY_MAX_MS} ms, ${tuning.KAFKA_RETRIES} times, metadata refreshed when ${tuning.KAFKA_METADATA_MAX_AGE_MS} ms old, fetches waiting up to ${tuning.KAFKA_FETCH_MAX_WAIT_MS} ms`,
      );
      const jars = await ensureKafkaJars({
        cacheDir: config.BLACKOUT_CACHE_DIR,
        onProgress: print,
      });
      if (options.fresh) {
        await rm(kafkaDir, { recursive: true, force: true });
        print(`wiped ${kafkaDir}`);
      }
      await mkdir(logDir, { recursive: true });
      const cluster = createLocalCluster({
        dir: kafkaDir,
        jars,
        heapMb: config.KAFKA_HEAP_MB,
        jvmOptions: config.KAFKA_JVM_OPTS,
        // How soon a dead broker is fenced: the floor of every broker fault (labTuning.ts).
        brokerOverrides: {
          "broker.session.timeout.ms": String(tuning.BROKER_SESSION_TIMEOUT_MS),
          "broker.heartbeat.interval.ms": String(tuning.BROKER_HEARTBEAT_INTERVAL_MS),
        },
        nodes: kafkaNodes(
          config.KAFKA_BROKER_PORTS,
          config.KAFKA_CONTROLLER_PORTS,
          config.KAFKA_METRICS_PORTS,
        ),
        metricsAgent: await ensureJmxExporterAgent({
          cacheDir: config.BLACKOUT_CACHE_DIR,
          onProgress: print,
        }),
        onProgress: print,
      });
      await cluster.prepare();

      const prometheusBin = onPath("prometheus", config.PATH);
      let prometheus: { bin: string; configFile: string; dataDir: string } | undefined;
      if (prometheusBin === undefined) {
        print(
          "prometheus is not on PATH: the lab runs without it (Debian: apt-get install prometheus)",
        );
      } else {
        const dir = join(dataDir, "prometheus");
        await mkdir(dir, { recursive: true });
        const configFile = join(dir, "prometheus.yml");
        await writeFile(configFile, prometheusConfig(config));
        await cp(PROMETHEUS_RULES_DIR, join(dir, "rules"), { recursive: true });
        prometheus = { bin: prometheusBin, configFile, dataDir: join(dir, "data") };
      }
      const jaeger = await traceBackend(join(dataDir, "jaeger"));
      const plan = planLab(config, {
        cluster,
        logDir,
        nodeBin: options.nodeBin,
        path: config.PATH,
        ...(prometheus !== undefined ? { prometheus } : {}),
        ...(jaeger !== undefined ? { jaeger } : {}),
      });

      const logger = createLogger({ name: "supervisor", level: "warn" });
      api = await listen(
        createSupervisorApp({ supervisor, logger, metrics: supervisorMetrics.metrics }),
        "127.0.0.1",
        config.SUPERVISOR_PORT,
      );
      print(`supervisor API on ${api.url}`);
      const brokersOnly = plan.groups.filter((group) => group.every((c) => c.kind === "broker"));
      for (const group of options.kafkaOnly ? brokersOnly : plan.groups) {
        for (const spec of group) supervisor.add(spec);
        await supervisor.start(group.map((spec) => spec.name));
      }
      const { urls } = plan;
      const services = options.kafkaOnly
        ? ["  (--kafka-only: no services; run them by hand, see docs/services.md)"]
        : [
            `  control (dashboard, API)  ${urls.control}`,
            `  gateway (client page)     ${urls.gateway}`,
            `  client fleet              ${urls.clients}/api/summary`,
            `  producers                 ${urls.producers.join("  ")}`,
            `  consumers                 ${urls.consumers.join("  ")}`,
            `  Prometheus                ${urls.prometheus ?? "not running (not installed)"}`,
            `  traces (Jaeger query API) ${urls.traces !== undefined ? `${urls.traces}/api/services` : "not running (Jaeger not built)"}`,
            "Kill something:  curl -X POST " +
              `${urls.control}/api/faults -H 'content-type: application/json' -d '{"action":"kill","target":"random:consumer","mode":"hard"}'`,
          ];
      options.print(
        [
          "",
          "Blackout lab is up.",
          ...services,
          `  Kafka bootstrap servers   ${cluster.bootstrapServers.join(",")}`,
          `  Kafka's metrics (JMX)     ${config.KAFKA_METRICS_PORTS.map((port) => `http://127.0.0.1:${port}/metrics`).join("  ")}`,
          `  logs                      ${logDir}`,
          "Ctrl-C stops everything.",
        ].join("\n"),
      );
      return urls;
    },
    async stop() {
      print("stopping (SIGTERM, then SIGKILL after 20 s)");
      await supervisor.stop();
      await api?.close();
      print("stopped");
    },
  };
}
