// The control service (DESIGN §1 Control API): wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Server } from "socket.io";
import { createKubePodApi, loadKubeConfig } from "../../chaos/kubePodApi.ts";
import { createKubernetesOrchestrator } from "../../chaos/kubernetes.ts";
import { createLocalOrchestrator } from "../../chaos/localOrchestrator.ts";
import { readScenarioLibrary } from "../../chaos/scenarioLibrary.ts";
import { TARGET_SELECTOR } from "../../chaos/podSnapshot.ts";
import { createJsonLogStore } from "../../kafka/jsonLogStore.ts";
import { createKafkaAdminView } from "../../kafka/kafkaAdminView.ts";
import { createKafkaClient } from "../../kafka/kafkaClient.ts";
import { KAFKA_VERSION } from "../../kafka/kafkaJars.ts";
import { createLagMetrics } from "../../kafka/lagMetrics.ts";
import { BLACKOUT_VERSION } from "../../lib/version.ts";
import { listen } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { createControlApp } from "./controlApp.ts";
import { type Topology } from "../../contract/topology.ts";
import { loadControlConfig } from "./controlConfig.ts";
import { createControlMetrics } from "./controlMetrics.ts";
import { faultSchema } from "../../contract/fault.ts";
import { createFaultTracker } from "./faultTracker.ts";
import { createFloorSettingsSource } from "./floorSettingsSource.ts";
import { createFleetFeed } from "./fleetFeed.ts";
import { createFleetLink } from "./fleetLink.ts";
import { createGrafanaAnnotations } from "./grafanaAnnotations.ts";
import { createKafkaSeries } from "./kafkaSeries.ts";
import { createKafkaWatch } from "./kafkaWatch.ts";
import { setProducerRate } from "./producerRate.ts";
import { createProducerStates } from "./producerStates.ts";
import { createScenarioRunner } from "./scenarioRunner.ts";
import { PLACEHOLDER_PAGE } from "./placeholderPage.ts";
import { describeTargets } from "./topology.ts";

handleProcessFailures("control");

const config = loadControlConfig();
const logger = createLogger({ name: "control", level: config.LOG_LEVEL });
const controlMetrics = createControlMetrics({ faultWindowMs: config.FAULT_WINDOW_MS });
const kafka = createKafkaClient({
  clientId: "blackout-control",
  brokers: config.KAFKA_BROKERS,
  logger,
  retry: config,
});
const store = createJsonLogStore({
  kafka,
  topic: config.FAULTS_TOPIC,
  schema: faultSchema,
  keyOf: (fault) => fault.id,
  logger,
});
const orchestrator =
  config.ORCHESTRATOR === "kubernetes"
    ? createKubernetesOrchestrator({
        api: createKubePodApi({
          kubeConfig: loadKubeConfig(),
          namespace: config.KUBE_NAMESPACE,
          labelSelector: TARGET_SELECTOR,
          component: "blackout-control",
        }),
        logger,
      })
    : createLocalOrchestrator({ url: config.SUPERVISOR_URL });
const feed = createFleetFeed();
// Attached to the HTTP server once it listens; emits before that reach nobody, as they should.
const io = new Server({ serveClient: false });
let lastTopology = "";
const kafkaSeries = createKafkaSeries({ groupPrefix: config.VIEW_GROUP_PREFIX });
const producerStates = createProducerStates(config.PRODUCER_URLS);

const watch = createKafkaWatch({
  view: createKafkaAdminView({
    brokers: config.KAFKA_BROKERS,
    topic: config.NUMBERS_TOPIC,
    groupPrefix: config.VIEW_GROUP_PREFIX,
  }),
  lagMetrics: createLagMetrics(controlMetrics.metrics),
  intervalMs: config.KAFKA_POLL_MS,
  // A whole fault window, its minute of steady state, and some slack.
  historyMs: config.FAULT_WINDOW_MS + 90_000,
  logger,
  onSnapshot: (snapshot) => {
    io.emit("kafka", kafkaSeries.add(snapshot));
    void pushTopology();
  },
});
// Faults as Grafana annotation regions, when control may write them (GRAFANA_TOKEN).
const grafanaApi = config.GRAFANA_API_URL ?? config.GRAFANA_URL;
const grafana =
  grafanaApi !== undefined && config.GRAFANA_TOKEN !== undefined
    ? createGrafanaAnnotations({
        url: grafanaApi,
        token: config.GRAFANA_TOKEN,
        fetch,
        logger,
        onResult: (result) => controlMetrics.annotationResult(result),
      })
    : undefined;
const floorSettings = createFloorSettingsSource({
  kafka,
  consumer: {
    consumerSessionTimeoutMs: config.SESSION_TIMEOUT_MS,
    consumerTakeOver: config.TAKE_OVER_GROUP,
  },
  logger,
});
const tracker = createFaultTracker({
  orchestrator,
  kafka: watch,
  feed,
  fleet: config.CLIENTS_URL === undefined ? undefined : createFleetLink(config.CLIENTS_URL),
  store,
  logger,
  now: Date.now,
  random: Math.random,
  minAlive: config.MIN_ALIVE,
  faultWindowMs: config.FAULT_WINDOW_MS,
  settleMs: config.SETTLE_MS,
  lagFloor: config.LAG_FLOOR,
  groupPrefix: config.VIEW_GROUP_PREFIX,
  floorSettings: () => floorSettings.latest(),
  onChange: (fault) => {
    controlMetrics.faultChanged(fault);
    grafana?.faultChanged(fault);
    io.emit("fault", fault);
  },
});

async function topology(): Promise<Topology> {
  const snapshot = watch.latest();
  return {
    at: Date.now(),
    targets: describeTargets(await orchestrator.targets(), snapshot, tracker.refusal, {
      producers: producerStates.latest(),
      groups: snapshot?.groups ?? [],
      groupPrefix: config.VIEW_GROUP_PREFIX,
    }),
    kafka: snapshot ?? null,
  };
}

/** Pushes the topology to subscribers when something in it changed (not merely its time). */
async function pushTopology(): Promise<void> {
  try {
    const current = await topology();
    const key = JSON.stringify({
      ...current,
      at: 0,
      kafka: current.kafka && { ...current.kafka, at: 0 },
    });
    if (key === lastTopology) return;
    lastTopology = key;
    io.emit("topology", current);
  } catch (error) {
    logger.debug({ err: error }, "topology not available");
  }
}

const runner = createScenarioRunner({
  tracker,
  feed,
  totalLag: () => {
    const groups = watch.latest()?.groups ?? [];
    if (groups.length === 0 || groups.some((g) => g.lag === null)) return null;
    return groups.reduce((sum, g) => sum + (g.lag ?? 0), 0);
  },
  setRate: (producer, perSecond) => setProducerRate(config.PRODUCER_URLS, producer, perSecond),
  thawAll: () => orchestrator.thawAll(),
  lab: {
    mode: orchestrator.mode,
    failoverSettings: config.FAILOVER_SETTINGS,
    versions: { blackout: BLACKOUT_VERSION, kafka: KAFKA_VERSION, node: process.version },
    config: async () => {
      const targets = await orchestrator.targets();
      const count = (kind: string) => targets.filter((t) => t.kind === kind).length;
      return {
        brokers: count("broker"),
        producers: count("producer"),
        consumers: count("consumer"),
        clients: feed.latest().reduce((sum, s) => sum + s.summary.clients, 0),
        failoverSettings: config.FAILOVER_SETTINGS,
        minAlive: config.MIN_ALIVE,
        faultWindowMs: config.FAULT_WINDOW_MS,
        settleMs: config.SETTLE_MS,
        lagFloor: config.LAG_FLOOR,
      };
    },
  },
  logger,
  now: Date.now,
  settleTimeoutMs: config.FAULT_WINDOW_MS,
  onUpdate: (state) => io.emit("run", state),
});

const dashboardDir = existsSync(join(config.DASHBOARD_DIR, "index.html"))
  ? config.DASHBOARD_DIR
  : undefined;
let ready = false;
const app = createControlApp({
  tracker,
  runner,
  feed,
  topology,
  emergencyStop: async () => {
    const aborted = runner.abortAll("emergency stop");
    const thawed = await orchestrator.thawAll();
    logger.warn({ thawed, aborted }, "emergency stop");
    return { thawed, aborted };
  },
  token: config.CONTROL_TOKEN,
  dashboardDir,
  page: PLACEHOLDER_PAGE,
  session: {
    mode: orchestrator.mode,
    links: {
      ...(config.GRAFANA_URL === undefined ? {} : { grafana: config.GRAFANA_URL }),
      ...(config.TRACES_URL === undefined ? {} : { traces: config.TRACES_URL }),
    },
  },
  kafkaSeries: (since) => kafkaSeries.since(since),
  scenarios: () => readScenarioLibrary(config.SCENARIOS_DIR),
  probes: { alive: () => true, ready: () => ready },
  metrics: controlMetrics.metrics,
  logger,
  onSummary: (source, summary) => io.emit("fleet", { source, summary }),
  onEvents: (events) => io.emit("anomaly", events),
});
const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT);
io.attach(server.server);
io.on("connection", (socket) => {
  socket.emit("faults", tracker.list());
  topology().then(
    (current) => socket.emit("topology", current),
    () => undefined,
  );
});

let ticking: NodeJS.Timeout | undefined;
let tickRunning: Promise<void> | undefined;
const lifecycle = runServiceLifecycle(logger, async () => {
  ready = false;
  clearTimeout(ticking);
  await tickRunning;
  await io.close();
  await watch.stop();
  await producerStates.stop();
  await orchestrator.close();
  await store.close();
  await server.close();
  // The last regions' ends, if Grafana answers soon; a stop never waits on it for long.
  await grafana?.drain(5000);
});

try {
  // kafkajs retries each call for about 30 s (kafkaClient.ts): a broker that is registered but
  // not serving yet is waited out; a cluster still unreachable after that is a failed start.
  await store.ensure();
  await tracker.load();
  await floorSettings.refresh();
} catch (error) {
  lifecycle.fail(`could not read the fault timeline from Kafka (${config.FAULTS_TOPIC})`, error);
}
// Pages that connected while the timeline was being read back got an empty one.
io.emit("faults", tracker.list());
orchestrator.onEvent((event) => {
  tracker.observe(event);
  io.emit("lifecycle", event);
  void pushTopology();
});
watch.start();
producerStates.start();
// One tick at a time: a tick waits on Kafka and the fleet, which may be what a fault slowed.
const tick = (): void => {
  tickRunning = tracker
    .tick()
    .then(pushTopology)
    .catch((error: unknown) => logger.error({ err: error }, "fault tracking failed"))
    .finally(() => {
      ticking = setTimeout(tick, 1000);
    });
};
tick();
ready = true;
logger.info(
  {
    url: server.url,
    orchestrator:
      config.ORCHESTRATOR === "kubernetes"
        ? `kubernetes, namespace ${config.KUBE_NAMESPACE}`
        : `local, supervisor ${config.SUPERVISOR_URL}`,
    clients: config.CLIENTS_URL ?? "none",
    token: config.CONTROL_TOKEN === undefined ? "none (loopback)" : "required",
    faults: tracker.list().length,
    dashboard: dashboardDir ?? `not built (no ${config.DASHBOARD_DIR}): the placeholder page`,
  },
  "listening",
);
