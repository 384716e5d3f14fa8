import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_KAFKA_NODES } from "../kafka/brokerProperties.ts";
import {
  baseUrl,
  bool,
  commonConfigSchema,
  csv,
  durationMs,
  nonNegativeInt,
  port,
  positiveDurationMs,
  positiveInt,
} from "../lib/config.ts";
import { MAX_WAIT_MS } from "../contract/recordsAnswer.ts";
import { controlTokenSetting } from "../services/control/controlConfig.ts";
import { MAX_CLIENTS } from "../services/clients/clientsConfig.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const threePorts = (defaults: number[]) =>
  csv(port())
    .refine((ports) => ports.length === 3, "expected three ports, one per Kafka node")
    .default(defaults);

/**
 * The lab's fleet by default: on 2 cores `npm run bench -- fleet` held 300 clients polling every
 * 500 ms with the whole lab running on the slower of the hosts it ran on, and 1 000 on the faster
 * (docs/benchmarks.md); 200 leaves room on either for a fault, the dashboard and Grafana.
 */
export const DEFAULT_CLIENTS = 200;

const count = (max: number, defaultCount: number) =>
  positiveInt()
    .refine((n) => n <= max, `expected at most ${max}`)
    .default(defaultCount);

/** What `npm start` reads from the environment (and its flags); DESIGN §3 defaults. */
export const labConfigSchema = commonConfigSchema.extend({
  KAFKA_BROKER_PORTS: threePorts(DEFAULT_KAFKA_NODES.map((n) => n.brokerPort)),
  KAFKA_CONTROLLER_PORTS: threePorts(DEFAULT_KAFKA_NODES.map((n) => n.controllerPort)),
  /** Where each node's JMX exporter serves Kafka's own metrics to Prometheus. */
  KAFKA_METRICS_PORTS: threePorts([9404, 9405, 9406]),
  KAFKA_HEAP_MB: positiveInt().default(384),
  /** Extra JVM flags for every broker, space separated (e.g. GC logging, or C2 back on). */
  KAFKA_JVM_OPTS: z
    .string()
    .transform((raw) => raw.split(/\s+/).filter((flag) => flag !== ""))
    .default([]),
  /** Broker data and every component's log; kept between starts so that a restart is warm. */
  BLACKOUT_DATA_DIR: z.string().default(`${repoRoot}.blackout`),
  /** Where `java` and `prometheus` are looked up; the children get it too. */
  PATH: z.string().default(""),
  PRODUCERS: count(10, 2),
  CONSUMERS: count(10, 3),
  CLIENTS: count(MAX_CLIENTS, DEFAULT_CLIENTS),
  /** Records per second per producer at start (the producers' API changes it at runtime). */
  RATE_PER_SECOND: z.coerce.number().min(0).max(1000).default(20),
  /**
   * How often each simulated client (and the client page) polls, ±10 % jitter; the fleet's stall
   * and poll timeout follow from it as when the fleet runs alone.
   */
  POLL_MS: positiveDurationMs().default(500),
  /** The simulated clients long-poll (each answer held up to this long) instead of polling; 0: off. */
  LONG_POLL_MS: durationMs()
    .refine((ms) => ms <= MAX_WAIT_MS, `expected a duration of at most ${MAX_WAIT_MS} ms`)
    .default(0),
  /**
   * Profiling: every Node service runs with `--cpu-prof` and writes its V8 CPU profile to
   * `<dir>/<service>/` when it stops (`node bench/profileTop.ts` sums them up).
   */
  NODE_PROFILE_DIR: z.string().optional(),
  /** How long a killed component stays down before the supervisor starts it again. */
  RESTART_DELAY_MS: positiveDurationMs().default(2000),
  /**
   * The failover knobs (labTuning.ts): the typical values unless TUNED (`--tuned`) selects the
   * tuned set; any of them given here wins over either.
   */
  TUNED: bool().default(false),
  /** The consumers' kafkajs session timeout: how long a hard-killed one holds its partitions. */
  SESSION_TIMEOUT_MS: positiveDurationMs().optional(),
  /** A restarted consumer removes the member its killed predecessor left in its group. */
  TAKE_OVER_GROUP: bool().optional(),
  BROKER_SESSION_TIMEOUT_MS: positiveDurationMs().optional(),
  BROKER_HEARTBEAT_INTERVAL_MS: positiveDurationMs().optional(),
  /** kafkajs's retries in the producers, consumers and control (see kafkaClientSettings). */
  KAFKA_RETRY_INITIAL_MS: positiveDurationMs().optional(),
  KAFKA_RETRY_MAX_MS: positiveDurationMs().optional(),
  KAFKA_RETRIES: positiveInt().optional(),
  KAFKA_METADATA_MAX_AGE_MS: positiveDurationMs().optional(),
  KAFKA_FETCH_MAX_WAIT_MS: positiveDurationMs().optional(),
  /** The first producer's port; producer-N listens on this + N. */
  PRODUCER_PORT: port().default(7100),
  CONSUMER_PORT: port().default(7200),
  CLIENTS_PORT: port().default(7300),
  GATEWAY_PORT: port().default(8080),
  CONTROL_PORT: port().default(8081),
  /** The supervisor's own API (local mode's kubelet), which control drives. */
  SUPERVISOR_PORT: port().default(8089),
  PROMETHEUS_PORT: port().default(9090),
  /** Jaeger's OTLP/HTTP receiver, where every service exports its spans (DESIGN §3: 4318). */
  TRACES_OTLP_PORT: port().default(4318),
  /** Jaeger's HTTP query API (`/api/services`, `/api/traces`), and its gRPC one beside it. */
  TRACES_QUERY_PORT: port().default(16686),
  TRACES_QUERY_GRPC_PORT: port().default(16685),
  /**
   * The share of the simulated clients' polls that start a trace (OTEL_TRACES_SAMPLER
   * parentbased_traceidratio): 20 clients poll 40 times a second, 1 000 clients 2 000 times, and
   * each poll is four spans (fleet, gateway in and out, consumer). The gateway and the consumers
   * follow the fleet's decision (parent-based); producers and control trace everything.
   */
  CLIENTS_TRACE_RATIO: z.coerce.number().min(0).max(1).default(0.01),
  /**
   * The share of the producers' records that start a trace (the consumers follow the record's
   * decision). All of them by default, which the lab's rates afford; at thousands of records a
   * second each traced record costs a span in its producer, its producer's read-back and every
   * consumer, and Jaeger their storage (docs/benchmarks.md, "Throughput").
   */
  PRODUCERS_TRACE_RATIO: z.coerce.number().min(0).max(1).default(1),
  /** Passed to each producer as LINGER_MS: batching for high rates (docs/benchmarks.md). */
  PRODUCERS_LINGER_MS: durationMs().default(0),
  /** Passed to each consumer as FETCH_MIN_BYTES: batching for high rates (docs/benchmarks.md). */
  CONSUMERS_FETCH_MIN_BYTES: positiveInt().default(1),
  /**
   * What is opted in to chaos (DESIGN §1 Safety; Kubernetes' `blackout.dev/chaos=enabled`): kinds
   * (`broker`, `producer`, `consumer`) or names (`kafka-2`). Control refuses the others.
   */
  CHAOS_TARGETS: csv(z.string().regex(/^[a-z0-9-]+$/, "expected kinds or names")).default([
    "broker",
    "producer",
    "consumer",
  ]),
  /** Passed to control: mutating calls then need it even on loopback. */
  CONTROL_TOKEN: controlTokenSetting(),
  /** Passed to control: the fewest ready replicas of a kind a fault may leave. */
  MIN_ALIVE: nonNegativeInt().default(1),
  /** Passed to control: the scenario library the dashboard offers. */
  SCENARIOS_DIR: z.string().min(1).default(`${repoRoot}scenarios`),
  /**
   * Passed to control: Grafana and the trace backend, linked from the dashboard when set. The lab
   * sets TRACES_URL to its own Jaeger when it runs one.
   */
  GRAFANA_URL: baseUrl("http://127.0.0.1:3000").optional(),
  TRACES_URL: baseUrl("http://127.0.0.1:16686").optional(),
});

export type LabConfig = z.output<typeof labConfigSchema>;

/** `--clients 50` or `--clients=50` → CLIENTS=50: every setting has a flag of its own name. */
export function flagsToEnv(argv: readonly string[]): {
  env: Record<string, string>;
  fresh: boolean;
  kafkaOnly: boolean;
  unknown: string[];
} {
  const env: Record<string, string> = {};
  const unknown: string[] = [];
  let fresh = false;
  let kafkaOnly = false;
  const known = new Set(Object.keys(labConfigSchema.shape));
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    if (arg === "--fresh") {
      fresh = true;
      continue;
    }
    if (arg === "--kafka-only") {
      kafkaOnly = true;
      continue;
    }
    if (arg === "--tuned") {
      env.TUNED = "true";
      continue;
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    const name = match?.[1]?.replaceAll("-", "_").toUpperCase();
    if (match === null || name === undefined || !known.has(name)) {
      unknown.push(arg);
      continue;
    }
    const value = match[2] ?? argv[i + 1];
    if (match[2] === undefined) i += 1;
    if (value === undefined) unknown.push(arg);
    else env[name] = value;
  }
  return { env, fresh, kafkaOnly, unknown };
}
