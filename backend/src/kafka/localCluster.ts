import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { runCommand } from "../lib/runCommand.ts";
import { spawnDetached } from "../lib/spawnDetached.ts";
import { waitFor } from "../lib/waitFor.ts";
import {
  brokerProperties,
  createClusterId,
  DEFAULT_KAFKA_NODES,
  LOG4J2_PROPERTIES,
  type KafkaNodeSpec,
} from "./brokerProperties.ts";
import { jmxExporterFlag } from "./jmxExporterAgent.ts";
import { JAVA_MISSING_HINT, type KafkaJars } from "./kafkaJars.ts";
import { describeQuorum } from "./describeQuorum.ts";
import { ensureTopic } from "./topics.ts";
import { waitNodesServing } from "./waitNodesServing.ts";

export interface LocalClusterOptions {
  /** Cluster home: cluster.id and one directory per node (properties, data, log, pid). */
  dir: string;
  jars: KafkaJars;
  nodes?: readonly KafkaNodeSpec[];
  host?: string;
  heapMb?: number;
  /** Extra JVM flags for each node, after Blackout's own (so a flag here wins). */
  jvmOptions?: readonly string[];
  /**
   * The JMX exporter's agent jar: each node with a `metricsPort` serves its metrics there, for
   * Prometheus (observability/kafka/jmx-exporter.yml says which).
   */
  metricsAgent?: string;
  javaBin?: string;
  readyTimeoutMs?: number;
  /** How long a SIGTERM may take before the node is killed. */
  stopTimeoutMs?: number;
  brokerOverrides?: Readonly<Record<string, string>>;
  onProgress?: (message: string) => void;
}

export interface KafkaNodeInfo extends KafkaNodeSpec {
  name: string;
  pid: number | undefined;
  running: boolean;
  logFile: string;
}

/** What runs one Kafka node: a JVM command line, and where its output goes. */
export interface KafkaNodeCommand {
  command: string;
  args: string[];
  logFile: string;
}

export interface LocalKafkaCluster {
  readonly bootstrapServers: string[];
  readonly dir: string;
  /** Formats storage when needed, starts every node, and resolves when the cluster serves RF 3. */
  start(): Promise<void>;
  /**
   * What start() does before it spawns anything: writes every node's properties, kills a node
   * left running by a launcher that died, and formats storage where needed. For a caller that
   * runs the nodes itself (the lab's supervisor) with nodeCommand().
   */
  prepare(): Promise<void>;
  /** The command line of one node, as start() spawns it (without the parent-death wrapper). */
  nodeCommand(id: number): KafkaNodeCommand;
  /** Signals one node and resolves once its JVM has exited. */
  killNode(id: number, signal: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Starts a stopped node with the same id and data, and resolves once it serves again. */
  startNode(id: number): Promise<void>;
  /** Stops every node: SIGTERM, then SIGKILL after stopTimeoutMs. Safe to call twice. */
  stop(): Promise<void>;
  nodes(): KafkaNodeInfo[];
  /** Broker ids that are registered and unfenced, as clients see them. */
  registeredBrokers(): Promise<number[]>;
}

interface RunningNode {
  child: ChildProcess;
  exited: Promise<void>;
  expectedExit: boolean;
}

const PROBE_TOPIC = "blackout.cluster.probe";

export function createLocalCluster(options: LocalClusterOptions): LocalKafkaCluster {
  const specs = options.nodes ?? DEFAULT_KAFKA_NODES;
  const host = options.host ?? "127.0.0.1";
  const heapMb = options.heapMb ?? 384;
  const javaBin = options.javaBin ?? "java";
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  const progress = options.onProgress ?? (() => undefined);
  const addressOf = (spec: KafkaNodeSpec): string =>
    `${host}:${spec.advertisedPort ?? spec.brokerPort}`;
  const bootstrapServers = specs.map(addressOf);
  const running = new Map<number, RunningNode>();
  // Few retries of its own: every call at start sits in a loop with backoff up to the ready
  // timeout (waitFor), which is what outlasts a broker that is registered but not yet serving.
  const kafka = new Kafka({
    clientId: "blackout-launcher",
    brokers: bootstrapServers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });

  const nodeDir = (id: number): string => join(options.dir, `node-${id}`);
  const paths = (id: number) => ({
    props: join(nodeDir(id), "server.properties"),
    log4j: join(nodeDir(id), "log4j2.properties"),
    data: join(nodeDir(id), "data"),
    log: join(nodeDir(id), "server.log"),
    pid: join(nodeDir(id), "kafka.pid"),
  });
  const specOf = (id: number): KafkaNodeSpec => {
    const spec = specs.find((s) => s.id === id);
    if (!spec)
      throw new Error(`no Kafka node ${id}; nodes are ${specs.map((s) => s.id).join(", ")}`);
    return spec;
  };

  // Last line of defence when the parent exits without stop(): the JVMs must not outlive it.
  // (setpriv's parent-death signal covers a SIGKILLed parent, where no handler runs.)
  let exitHookInstalled = false;
  const killAllNow = (): void => {
    for (const node of running.values()) {
      if (node.child.pid !== undefined) tryKill(node.child.pid, "SIGKILL");
    }
  };

  async function writeNodeFiles(): Promise<string> {
    await mkdir(options.dir, { recursive: true });
    const idFile = join(options.dir, "cluster.id");
    const clusterId = existsSync(idFile)
      ? (await readFile(idFile, "utf8")).trim()
      : createClusterId();
    await writeFile(idFile, `${clusterId}\n`);
    for (const spec of specs) {
      const p = paths(spec.id);
      await mkdir(p.data, { recursive: true });
      await writeFile(
        p.props,
        brokerProperties({
          node: spec,
          nodes: specs,
          host,
          dataDir: p.data,
          ...(options.brokerOverrides ? { overrides: options.brokerOverrides } : {}),
        }),
      );
      await writeFile(p.log4j, LOG4J2_PROPERTIES);
      await killStale(p.pid, nodeDir(spec.id));
    }
    return clusterId;
  }

  async function format(clusterId: string): Promise<void> {
    const unformatted = specs.filter(
      (spec) => !existsSync(join(paths(spec.id).data, "meta.properties")),
    );
    await Promise.all(
      unformatted.map(async (spec) => {
        const p = paths(spec.id);
        await runCommand(
          javaBin,
          [
            ...jvmArgs(64, p.log4j),
            "-cp",
            options.jars.classpath,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            clusterId,
            "-c",
            p.props,
          ],
          { missingHint: JAVA_MISSING_HINT },
        );
        progress(`kafka-${spec.id} storage formatted (cluster ${clusterId})`);
      }),
    );
  }

  async function prepare(): Promise<void> {
    await format(await writeNodeFiles());
  }

  function nodeCommand(id: number): KafkaNodeCommand {
    const { metricsPort } = specOf(id);
    const p = paths(id);
    return {
      command: javaBin,
      args: [
        ...jvmArgs(heapMb, p.log4j),
        ...(options.metricsAgent !== undefined && metricsPort !== undefined
          ? [jmxExporterFlag(options.metricsAgent, host, metricsPort)]
          : []),
        ...(options.jvmOptions ?? []),
        "-cp",
        options.jars.classpath,
        "kafka.Kafka",
        p.props,
      ],
      logFile: p.log,
    };
  }

  function spawnNode(id: number): void {
    const p = paths(id);
    const { command, args, logFile } = nodeCommand(id);
    const child = spawnDetached(command, args, { logFile });
    const node: RunningNode = {
      child,
      expectedExit: false,
      exited: new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          running.delete(id);
          if (!node.expectedExit) {
            progress(`kafka-${id} exited unexpectedly (${signal ?? `code ${code}`}); see ${p.log}`);
          }
          resolve();
        });
      }),
    };
    child.once("error", (error) => progress(`kafka-${id} failed to start: ${error.message}`));
    running.set(id, node);
    if (child.pid !== undefined) void writeFile(p.pid, `${child.pid}\n`).catch(() => undefined);
    if (!exitHookInstalled) {
      process.on("exit", killAllNow);
      exitHookInstalled = true;
    }
  }

  async function registeredBrokers(): Promise<number[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  }

  /** Registered with the controller and answering on its own address, each of `ids`. */
  async function waitServing(ids: number[], timeoutMs: number): Promise<void> {
    await waitNodesServing({
      nodes: ids.map((id) => ({
        id,
        address: addressOf(specOf(id)),
        logFile: paths(id).log,
      })),
      registered: registeredBrokers,
      // A KRaft broker answers requests only once it has caught up and been unfenced.
      answers: async (address) => {
        await describeQuorum([address], { timeoutMs: 2000, clientId: "blackout-launcher" });
      },
      running: (id) => running.has(id),
      timeoutMs,
      onReady: (node) => progress(`kafka-${node.id} ready on ${node.address}`),
      onRegisteredNotServing: (node, reason) => progress(`kafka-${node.id} ${reason}; waiting`),
    });
  }

  /** The probe topic with RF 3 has a leader and a full ISR: the cluster replicates. */
  async function waitReplicated(timeoutMs: number): Promise<void> {
    const replicationFactor = Math.min(3, specs.length);
    const deadline = Date.now() + timeoutMs;
    await waitFor(
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await ensureTopic(
            admin,
            {
              topic: PROBE_TOPIC,
              partitions: 1,
              replicationFactor,
              configs: { "min.insync.replicas": String(Math.min(2, replicationFactor)) },
            },
            Math.max(1000, deadline - Date.now()),
          );
          return true;
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      {
        what: `topic ${PROBE_TOPIC} to be replicated ${replicationFactor} times (logs: ${options.dir}/node-*/server.log)`,
        timeoutMs,
        intervalMs: 200,
        maxIntervalMs: 2000,
      },
    );
  }

  async function killNode(id: number, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
    specOf(id);
    const node = running.get(id);
    if (!node || node.child.pid === undefined) return;
    node.expectedExit = true;
    tryKill(node.child.pid, signal);
    if (signal === "SIGTERM") {
      const timer = setTimeout(() => {
        if (node.child.pid !== undefined) tryKill(node.child.pid, "SIGKILL");
      }, stopTimeoutMs);
      await node.exited;
      clearTimeout(timer);
    } else {
      await node.exited;
    }
    await rm(paths(id).pid, { force: true });
  }

  return {
    bootstrapServers,
    dir: options.dir,
    prepare,
    nodeCommand,
    async start() {
      await prepare();
      for (const spec of specs) {
        if (!running.has(spec.id)) {
          spawnNode(spec.id);
          progress(`kafka-${spec.id} starting (pid ${running.get(spec.id)?.child.pid ?? "?"})`);
        }
      }
      // One budget for both steps: readyTimeoutMs is how long a start may take, whatever stalls.
      const deadline = Date.now() + readyTimeoutMs;
      await waitServing(
        specs.map((s) => s.id),
        readyTimeoutMs,
      );
      await waitReplicated(Math.max(1000, deadline - Date.now()));
      progress(`Kafka cluster ready: ${specs.length} brokers at ${bootstrapServers.join(",")}`);
    },
    killNode,
    async startNode(id) {
      specOf(id);
      if (running.has(id)) return;
      await killStale(paths(id).pid, nodeDir(id));
      spawnNode(id);
      progress(`kafka-${id} starting (pid ${running.get(id)?.child.pid ?? "?"})`);
      await waitServing([id], readyTimeoutMs);
    },
    async stop() {
      await Promise.all(specs.map((spec) => killNode(spec.id, "SIGTERM")));
      process.removeListener("exit", killAllNow);
      exitHookInstalled = false;
    },
    nodes() {
      return specs.map((spec) => {
        const pid = running.get(spec.id)?.child.pid;
        return {
          ...spec,
          name: `kafka-${spec.id}`,
          pid,
          running: pid !== undefined,
          logFile: paths(spec.id).log,
        };
      });
    },
    registeredBrokers,
  };
}

function jvmArgs(heapMb: number, log4jFile: string): string[] {
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    // C1 only: three JVMs compiling with C2 at once saturate 2 cores. bench/clusterStart.ts
    // measured a cold start of 10.4 s instead of 15.7 s (warm 8.0 s instead of 13.0 s), and the
    // lab's few thousand records a second are far below what C1 code handles.
    // KAFKA_JVM_OPTS="-XX:TieredStopAtLevel=4" brings C2 back.
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ];
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: that is the goal.
  }
}

/**
 * A JVM left by a launcher that died without cleaning up (e.g. a machine without setpriv). Only a
 * process whose command line names this node's directory is ours to kill.
 */
async function killStale(pidFile: string, dir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).trim());
  if (Number.isInteger(pid) && pid > 0 && processMentions(pid, dir)) {
    tryKill(pid, "SIGKILL");
    await waitFor(() => !processMentions(pid, dir), {
      what: `stale Kafka process ${pid} to exit`,
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }
  await rm(pidFile, { force: true });
}

/** True while `pid` is alive (not a zombie) and its command line contains `text`. */
export function processMentions(pid: number, text: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/\) Z /.test(stat)) return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .some((arg) => arg.includes(text));
  } catch {
    return false;
  }
}
