import { join } from "node:path";
import type { ComponentSpec } from "../chaos/supervisor/localSupervisor.ts";
import { describeQuorum } from "../kafka/describeQuorum.ts";
import type { LocalKafkaCluster } from "../kafka/localCluster.ts";
import type { LabConfig } from "./labConfig.ts";
import { labTuning } from "./labTuning.ts";

const backendDir = join(import.meta.dirname, "../..");

/** The lab's components in start order: each group starts once the one before it is ready. */
export interface LabPlan {
  readonly groups: readonly (readonly ComponentSpec[])[];
  readonly urls: {
    readonly control: string;
    readonly gateway: string;
    readonly clients: string;
    readonly supervisor: string;
    readonly producers: readonly string[];
    readonly consumers: readonly string[];
    readonly prometheus?: string;
    readonly traces?: string;
  };
}

export interface LabPlanOptions {
  readonly cluster: LocalKafkaCluster;
  readonly logDir: string;
  /** The Node binary the services run on (the lab's own: Node 24). */
  readonly nodeBin: string;
  /** PATH for the children: `java` and `prometheus` are looked up in it. */
  readonly path: string;
  /** The `prometheus` binary and its config file, when Prometheus runs with the lab. */
  readonly prometheus?: {
    readonly bin: string;
    readonly configFile: string;
    readonly dataDir: string;
  };
  /** The `jaeger` binary and its config file, when the lab runs its trace backend. */
  readonly jaeger?: {
    readonly bin: string;
    readonly configFile: string;
  };
}

/** 200 from `url` within a second: what a readiness probe is. */
export async function answersReady(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.status === 200;
}

/**
 * Every component of the local lab as the supervisor runs it: 3 brokers, producers, consumers
 * (chaos targets), then the gateway, the client fleet, control and Prometheus (services).
 */
export function planLab(config: LabConfig, options: LabPlanOptions): LabPlan {
  const host = "127.0.0.1";
  const url = (port: number) => `http://${host}:${port}`;
  const logFile = (name: string) => join(options.logDir, `${name}.log`);
  const common = {
    PATH: options.path,
    LOG_LEVEL: config.LOG_LEVEL,
    // Node keeps the compiled code of every module here: a restarted service (the lab restarts
    // killed ones) starts sooner, which is part of every pod recovery (a consumer measured here:
    // 0.9 s to listening without the cache, 0.6 s with it).
    NODE_COMPILE_CACHE: join(config.BLACKOUT_DATA_DIR, "node-compile-cache"),
  };
  const tuning = labTuning(config);
  // The same retries in every service that talks to Kafka (the typical ones or --tuned's).
  const kafkaClient = {
    KAFKA_BROKERS: options.cluster.bootstrapServers.join(","),
    KAFKA_RETRY_INITIAL_MS: String(tuning.KAFKA_RETRY_INITIAL_MS),
    KAFKA_RETRY_MAX_MS: String(tuning.KAFKA_RETRY_MAX_MS),
    KAFKA_RETRIES: String(tuning.KAFKA_RETRIES),
    KAFKA_METADATA_MAX_AGE_MS: String(tuning.KAFKA_METADATA_MAX_AGE_MS),
    KAFKA_FETCH_MAX_WAIT_MS: String(tuning.KAFKA_FETCH_MAX_WAIT_MS),
  };
  const viewGroup = {
    SESSION_TIMEOUT_MS: String(tuning.SESSION_TIMEOUT_MS),
    TAKE_OVER_GROUP: String(tuning.TAKE_OVER_GROUP),
  };
  const tracesUrl = options.jaeger ? url(config.TRACES_QUERY_PORT) : undefined;
  // What the dashboard links to: the user's own trace UI, else the lab's Jaeger.
  const tracesLink = config.TRACES_URL ?? tracesUrl;
  // Every service exports its spans to the lab's Jaeger through the standard variables.
  const tracing = (name: string): Record<string, string> =>
    options.jaeger
      ? {
          OTEL_EXPORTER_OTLP_ENDPOINT: url(config.TRACES_OTLP_PORT),
          OTEL_SERVICE_NAME: name,
        }
      : {};
  const optedIn = (name: string, kind: ComponentSpec["kind"]) =>
    kind !== "service" &&
    (config.CHAOS_TARGETS.includes(kind) || config.CHAOS_TARGETS.includes(name));
  const service = (
    name: string,
    kind: ComponentSpec["kind"],
    main: string,
    env: Record<string, string>,
    readyUrl: string,
  ): ComponentSpec => ({
    name,
    kind,
    chaos: optedIn(name, kind),
    command: options.nodeBin,
    args: [
      ...(config.NODE_PROFILE_DIR === undefined
        ? []
        : ["--cpu-prof", `--cpu-prof-dir=${join(config.NODE_PROFILE_DIR, name)}`]),
      "--disable-warning=TimeoutNegativeWarning",
      "--import",
      "./src/lib/telemetry.ts",
      `src/services/${main}/main.ts`,
    ],
    cwd: backendDir,
    env: { ...common, ...tracing(name), ...env },
    logFile: logFile(name),
    ready: () => answersReady(readyUrl),
  });

  const kafka: ComponentSpec[] = options.cluster.nodes().map((node) => {
    const command = options.cluster.nodeCommand(node.id);
    const address = `${host}:${node.brokerPort}`;
    return {
      name: node.name,
      kind: "broker",
      chaos: optedIn(node.name, "broker"),
      nodeId: node.id,
      command: command.command,
      args: command.args,
      env: { PATH: options.path },
      logFile: command.logFile,
      // A KRaft broker processes requests only once it caught up and was unfenced: an answer
      // from this very broker is its readiness (its registration may be a dead predecessor's).
      ready: async () => {
        await describeQuorum([address], { timeoutMs: 1000, clientId: "blackout-lab-probe" });
        return true;
      },
    };
  });

  const gatewayUrl = url(config.GATEWAY_PORT);
  const clientsUrl = url(config.CLIENTS_PORT);
  const controlUrl = url(config.CONTROL_PORT);
  const supervisorUrl = url(config.SUPERVISOR_PORT);
  const producerUrls: string[] = [];
  const producers = Array.from({ length: config.PRODUCERS }, (_, i) => {
    const port = config.PRODUCER_PORT + i;
    producerUrls.push(url(port));
    return service(
      `producer-${i}`,
      "producer",
      "producer",
      {
        PRODUCER_ID: `producer-${i}`,
        ...kafkaClient,
        HTTP_PORT: String(port),
        RATE_PER_SECOND: String(config.RATE_PER_SECOND),
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: String(config.PRODUCERS_TRACE_RATIO),
        LINGER_MS: String(config.PRODUCERS_LINGER_MS),
      },
      `${url(port)}/readyz`,
    );
  });
  const consumerUrls: string[] = [];
  const consumers = Array.from({ length: config.CONSUMERS }, (_, i) => {
    const port = config.CONSUMER_PORT + i;
    consumerUrls.push(url(port));
    return service(
      `consumer-${i}`,
      "consumer",
      "consumer",
      {
        CONSUMER_ID: `consumer-${i}`,
        ...kafkaClient,
        HTTP_PORT: String(port),
        ...viewGroup,
        CONTROL_URL: controlUrl,
        POLL_MS: String(config.POLL_MS),
        FETCH_MIN_BYTES: String(config.CONSUMERS_FETCH_MIN_BYTES),
      },
      `${url(port)}/readyz`,
    );
  });
  const gateway = service(
    "gateway",
    "service",
    "gateway",
    { HTTP_PORT: String(config.GATEWAY_PORT), CONSUMER_URLS: consumerUrls.join(",") },
    `${gatewayUrl}/gateway/readyz`,
  );
  const clients = service(
    "clients",
    "service",
    "clients",
    {
      HTTP_PORT: String(config.CLIENTS_PORT),
      TARGET_URL: gatewayUrl,
      CLIENTS: String(config.CLIENTS),
      POLL_MS: String(config.POLL_MS),
      LONG_POLL_MS: String(config.LONG_POLL_MS),
      CONTROL_URL: controlUrl,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: String(config.CLIENTS_TRACE_RATIO),
    },
    `${clientsUrl}/readyz`,
  );
  const control = service(
    "control",
    "service",
    "control",
    {
      HTTP_PORT: String(config.CONTROL_PORT),
      ...kafkaClient,
      SUPERVISOR_URL: supervisorUrl,
      PRODUCER_URLS: producerUrls.map((u, i) => `producer-${i}=${u}`).join(","),
      CLIENTS_URL: clientsUrl,
      MIN_ALIVE: String(config.MIN_ALIVE),
      // The consumers' group settings: control shows the floor of a consumer fault with them.
      ...viewGroup,
      FAILOVER_SETTINGS: config.TUNED ? "tuned" : "typical",
      SCENARIOS_DIR: config.SCENARIOS_DIR,
      ...(config.CONTROL_TOKEN !== undefined ? { CONTROL_TOKEN: config.CONTROL_TOKEN } : {}),
      ...(config.GRAFANA_URL !== undefined ? { GRAFANA_URL: config.GRAFANA_URL } : {}),
      ...(tracesLink !== undefined ? { TRACES_URL: tracesLink } : {}),
    },
    `${controlUrl}/readyz`,
  );
  const traceBackend: ComponentSpec[] = options.jaeger
    ? [
        {
          name: "jaeger",
          kind: "service",
          chaos: false,
          command: options.jaeger.bin,
          args: ["--config", options.jaeger.configFile],
          env: { PATH: options.path },
          logFile: logFile("jaeger"),
          ready: () => answersReady(`${tracesUrl ?? ""}/api/services`),
        },
      ]
    : [];
  const observability: ComponentSpec[] = [];
  let prometheusUrl: string | undefined;
  if (options.prometheus !== undefined) {
    prometheusUrl = url(config.PROMETHEUS_PORT);
    observability.push({
      name: "prometheus",
      kind: "service",
      chaos: false,
      command: options.prometheus.bin,
      args: [
        `--config.file=${options.prometheus.configFile}`,
        `--storage.tsdb.path=${options.prometheus.dataDir}`,
        `--web.listen-address=${host}:${config.PROMETHEUS_PORT}`,
        // The services' histograms carry trace ids as exemplars (OpenMetrics); keep them.
        "--enable-feature=exemplar-storage",
      ],
      env: { PATH: options.path },
      logFile: logFile("prometheus"),
      ready: () => answersReady(`${prometheusUrl}/-/ready`),
    });
  }
  return {
    // Jaeger first (it is up in a second): the services' first spans have somewhere to go.
    groups: [
      ...(traceBackend.length > 0 ? [traceBackend] : []),
      kafka,
      [...producers, ...consumers],
      [gateway, control],
      [clients, ...observability],
    ],
    urls: {
      control: controlUrl,
      gateway: gatewayUrl,
      clients: clientsUrl,
      supervisor: supervisorUrl,
      producers: producerUrls,
      consumers: consumerUrls,
      ...(prometheusUrl !== undefined ? { prometheus: prometheusUrl } : {}),
      ...(tracesUrl !== undefined ? { traces: tracesUrl } : {}),
    },
  };
}
