// The control service (DESIGN §1 Control API): wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createKubePodApi, loadKubeConfig } from "../../chaos/orchestrators/kubePodApi.ts";
import { createKubernetesOrchestrator } from "../../chaos/orchestrators/kubernetes.ts";
import { createLocalOrchestrator } from "../../chaos/orchestrators/localOrchestrator.ts";
import { TARGET_SELECTOR } from "../../chaos/orchestrators/podSnapshot.ts";
import { createJsonLogStore } from "../../kafka/jsonLogStore.ts";
import { createKafkaAdminView } from "../../kafka/kafkaAdminView.ts";
import { createKafkaClient } from "../../kafka/kafkaClient.ts";
import { KAFKA_VERSION } from "../../kafka/kafkaJars.ts";
import { BLACKOUT_VERSION } from "../../lib/version.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { loadControlConfig } from "./controlConfig.ts";
import { createControl } from "./createControl.ts";
import { faultSchema } from "../../contract/fault.ts";
import { runStateSchema } from "../../contract/runs.ts";
import { createFloorSettingsSource } from "./floorSettingsSource.ts";
import { PLACEHOLDER_PAGE } from "./placeholderPage.ts";

handleProcessFailures("control");

const config = loadControlConfig();
const logger = createLogger({ name: "control", level: config.LOG_LEVEL });
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
const runStore = createJsonLogStore({
  kafka,
  topic: config.RUNS_TOPIC,
  schema: runStateSchema,
  keyOf: (run) => run.id,
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
const dashboardDir = existsSync(join(config.DASHBOARD_DIR, "index.html"))
  ? config.DASHBOARD_DIR
  : undefined;

const control = await createControl({
  config,
  logger,
  orchestrator,
  store,
  runStore,
  kafka: {
    view: createKafkaAdminView({
      brokers: config.KAFKA_BROKERS,
      topic: config.NUMBERS_TOPIC,
      groupPrefix: config.VIEW_GROUP_PREFIX,
    }),
    floorSettings: createFloorSettingsSource({
      kafka,
      consumer: {
        consumerSessionTimeoutMs: config.SESSION_TIMEOUT_MS,
        consumerTakeOver: config.TAKE_OVER_GROUP,
      },
      logger,
    }),
  },
  versions: { blackout: BLACKOUT_VERSION, kafka: KAFKA_VERSION, node: process.version },
  dashboardDir,
  page: PLACEHOLDER_PAGE,
  now: Date.now,
  random: Math.random,
});

const lifecycle = runServiceLifecycle(logger, () => control.close());
try {
  await control.load();
} catch (error) {
  lifecycle.fail(
    `could not read the fault timeline and runs from Kafka (${config.FAULTS_TOPIC}, ${config.RUNS_TOPIC})`,
    error,
  );
}
control.start();
logger.info(
  {
    url: control.server.url,
    orchestrator:
      config.ORCHESTRATOR === "kubernetes"
        ? `kubernetes, namespace ${config.KUBE_NAMESPACE}`
        : `local, supervisor ${config.SUPERVISOR_URL}`,
    clients: config.CLIENTS_URL ?? "none",
    token: config.CONTROL_TOKEN === undefined ? "none (loopback)" : "required",
    faults: control.tracker.list().length,
    dashboard: dashboardDir ?? `not built (no ${config.DASHBOARD_DIR}): the placeholder page`,
  },
  "listening",
);
