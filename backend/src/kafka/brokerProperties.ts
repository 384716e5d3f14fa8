import { randomBytes } from "node:crypto";

export interface KafkaNodeSpec {
  /** KRaft node id, also the broker id. */
  id: number;
  /** Client listener (what producers and consumers use). */
  brokerPort: number;
  /** KRaft controller listener. */
  controllerPort: number;
  /**
   * Where clients are told to reach the broker, when not at brokerPort (a broker behind a proxy or
   * a port forward). The launcher's tests use it to hold a registered broker unreachable.
   */
  advertisedPort?: number;
  /** Where the node serves its JMX metrics to Prometheus (the JMX exporter's agent), if it does. */
  metricsPort?: number;
}

/** DESIGN §3: node 1/2/3 listen on 19092/29092/39092, their controllers on 19093/29093/39093. */
export const DEFAULT_KAFKA_NODES: readonly KafkaNodeSpec[] = [
  { id: 1, brokerPort: 19092, controllerPort: 19093 },
  { id: 2, brokerPort: 29092, controllerPort: 29093 },
  { id: 3, brokerPort: 39092, controllerPort: 39093 },
];

/**
 * Nodes 1..n, node i listening on brokerPorts[i - 1] and controllerPorts[i - 1], and serving its
 * metrics on metricsPorts[i - 1] when those are given.
 */
export function kafkaNodes(
  brokerPorts: readonly number[],
  controllerPorts: readonly number[],
  metricsPorts?: readonly number[],
): KafkaNodeSpec[] {
  for (const [what, ports] of [
    ["controller", controllerPorts],
    ["metrics", metricsPorts ?? brokerPorts],
  ] as const) {
    if (ports.length !== brokerPorts.length) {
      throw new Error(`${brokerPorts.length} broker ports but ${ports.length} ${what} ports`);
    }
  }
  return brokerPorts.map((brokerPort, i) => ({
    id: i + 1,
    brokerPort,
    controllerPort: controllerPorts[i] ?? 0,
    ...(metricsPorts?.[i] !== undefined ? { metricsPort: metricsPorts[i] } : {}),
  }));
}

export interface BrokerPropertiesInput {
  node: KafkaNodeSpec;
  nodes: readonly KafkaNodeSpec[];
  host: string;
  dataDir: string;
  overrides?: Readonly<Record<string, string>>;
}

/**
 * server.properties of one combined broker+controller node with a static quorum. Defaults follow
 * DESIGN §1: replication factor 3, min.insync.replicas 2, no unclean leader election; internal
 * topics are sized for a 2-core machine.
 */
export function brokerProperties(input: BrokerPropertiesInput): string {
  const { node, nodes, host, dataDir } = input;
  const voters = nodes.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(",");
  const replication = String(Math.min(3, nodes.length));
  const minIsr = String(Math.min(2, nodes.length));
  const settings: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": String(node.id),
    "controller.quorum.voters": voters,
    listeners: `PLAINTEXT://${host}:${node.brokerPort},CONTROLLER://${host}:${node.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${host}:${node.advertisedPort ?? node.brokerPort}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": dataDir,
    "num.partitions": "6",
    "default.replication.factor": replication,
    "min.insync.replicas": minIsr,
    "unclean.leader.election.enable": "false",
    // Topics are created on purpose (with RF 3); a typo must not create a topic with defaults.
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": replication,
    "offsets.topic.num.partitions": "10",
    "transaction.state.log.replication.factor": replication,
    "transaction.state.log.min.isr": minIsr,
    "transaction.state.log.num.partitions": "10",
    "share.coordinator.state.topic.replication.factor": replication,
    "share.coordinator.state.topic.min.isr": minIsr,
    // Consumers of the lab join one at a time; waiting 3 s for more members only delays them.
    "group.initial.rebalance.delay.ms": "0",
    "num.network.threads": "2",
    "num.io.threads": "4",
    "num.recovery.threads.per.data.dir": "1",
    ...input.overrides,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")
    .concat("\n");
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, as Kafka's Uuid prints. */
export function createClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka never issues ids starting with "-": the storage tool would read one as a flag.
    if (!id.startsWith("-")) return id;
  }
}

export const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;
