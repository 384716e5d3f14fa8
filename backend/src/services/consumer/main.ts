// A consumer (DESIGN §1): wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { createKafkaClient } from "../../kafka/kafkaClient.ts";
import { removeGroupMembers } from "../../kafka/removeGroupMembers.ts";
import { listen } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { createConsumerApp } from "./consumerApp.ts";
import { loadConsumerConfig } from "./consumerConfig.ts";
import { createConsumerMetrics } from "./consumerMetrics.ts";
import { createPageRoutes } from "./page/pageRoutes.ts";
import { createView } from "./view.ts";
import { createViewConsumer } from "./viewConsumer.ts";

handleProcessFailures("consumer");

const config = loadConsumerConfig();
const logger = createLogger({ name: config.CONSUMER_ID, level: config.LOG_LEVEL });
const metrics = createConsumerMetrics();
const view = createView({ window: config.VIEW_WINDOW });
const viewConsumer = createViewConsumer({
  kafka: createKafkaClient({
    clientId: config.CONSUMER_ID,
    brokers: config.KAFKA_BROKERS,
    logger,
    retry: config,
  }),
  topic: config.KAFKA_TOPIC,
  partitions: config.KAFKA_TOPIC_PARTITIONS,
  groupId: `blackout-view-${config.CONSUMER_ID}`,
  sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
  fetchMinBytes: config.FETCH_MIN_BYTES,
  takeOver: config.TAKE_OVER_GROUP
    ? (groupId, memberIds) =>
        removeGroupMembers(config.KAFKA_BROKERS, groupId, memberIds, {
          clientId: config.CONSUMER_ID,
        })
    : undefined,
  view,
  metrics,
  logger,
  onFatal: (reason, error) => lifecycle.fail(reason, error),
});
const page = await createPageRoutes({
  pollMs: config.POLL_MS,
  stallMs: config.STALL_MS,
  consumerId: config.CONSUMER_ID,
  controlUrl: config.CONTROL_URL ?? null,
});
const app = createConsumerApp({
  consumerId: config.CONSUMER_ID,
  view,
  probes: { alive: () => viewConsumer.alive(), ready: () => viewConsumer.ready() },
  metrics,
  logger,
  maxRecordsPerAnswer: config.MAX_RECORDS_PER_ANSWER,
  extraRoutes: page,
});
const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT);
const lifecycle = runServiceLifecycle(logger, async () => {
  await server.close();
  await viewConsumer.stop();
});
logger.info({ url: server.url }, "listening");

try {
  await viewConsumer.start();
} catch (error) {
  lifecycle.fail("could not start reading from Kafka", error);
}
