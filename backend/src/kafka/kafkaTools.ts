import { runCommand } from "../lib/runCommand.ts";
import { JAVA_MISSING_HINT, type KafkaJars } from "./kafkaJars.ts";

/**
 * Kafka's own command-line tools, run from the same jars as the brokers, so that people and tests
 * can cross-check Blackout's numbers with Kafka's. Keys follow the kafka-*.sh script names.
 */
export const KAFKA_TOOLS = {
  topics: "org.apache.kafka.tools.TopicCommand",
  "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
  "console-producer": "org.apache.kafka.tools.ConsoleProducer",
  "producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
  "consumer-perf-test": "org.apache.kafka.tools.ConsumerPerformance",
  "get-offsets": "org.apache.kafka.tools.GetOffsetShell",
  configs: "org.apache.kafka.tools.ConfigCommand",
  "metadata-quorum": "org.apache.kafka.tools.MetadataQuorumCommand",
  "leader-election": "org.apache.kafka.tools.LeaderElectionCommand",
  storage: "kafka.tools.StorageTool",
} as const;

export type KafkaToolName = keyof typeof KAFKA_TOOLS;

export function isKafkaTool(name: string): name is KafkaToolName {
  return Object.hasOwn(KAFKA_TOOLS, name);
}

/** The tools that talk to brokers take --bootstrap-server; the rest must not be given one. */
const NEEDS_BOOTSTRAP: ReadonlySet<KafkaToolName> = new Set([
  "topics",
  "consumer-groups",
  "console-consumer",
  "console-producer",
  "producer-perf-test",
  "consumer-perf-test",
  "get-offsets",
  "configs",
  "metadata-quorum",
  "leader-election",
]);

/**
 * The full `java` argument list for a tool. When the caller names no server, the tool is pointed at
 * `defaultBootstrap` (the local lab), which is what someone typing `npm run kafka -- topics --list`
 * means. The server goes before the caller's arguments: `metadata-quorum` takes its global options
 * only before the subcommand (`--bootstrap-server … describe --status`).
 */
export function kafkaToolArgs(
  jars: KafkaJars,
  tool: KafkaToolName,
  args: readonly string[],
  defaultBootstrap: string,
): string[] {
  const named = args.some((a) =>
    ["--bootstrap-server", "--bootstrap-controller"].some(
      (option) => a === option || a.startsWith(`${option}=`),
    ),
  );
  const extra =
    NEEDS_BOOTSTRAP.has(tool) && !named && !args.includes("--help")
      ? ["--bootstrap-server", defaultBootstrap]
      : [];
  return [
    "-Xmx256m",
    "-XX:TieredStopAtLevel=1",
    "-Dlog4j2.level=WARN",
    "-cp",
    jars.classpath,
    KAFKA_TOOLS[tool],
    ...extra,
    ...args,
  ];
}

/** Runs a tool to completion and returns what it printed on stdout. */
export function runKafkaTool(
  jars: KafkaJars,
  tool: KafkaToolName,
  args: readonly string[],
  bootstrap: string,
): Promise<string> {
  return runCommand("java", kafkaToolArgs(jars, tool, args, bootstrap), {
    missingHint: JAVA_MISSING_HINT,
  });
}
