// A producer (DESIGN §1): wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { createKafkaClient } from "../../kafka/kafkaClient.ts";
import { numbersTopicSpec } from "../../kafka/records.ts";
import { ensureTopic } from "../../kafka/topics.ts";
import { loadConfig } from "../../lib/config.ts";
import { listen } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { createNumberProducer } from "./numberProducer.ts";
import { ownPartition } from "./ownPartition.ts";
import { createOwnRecordsReader } from "./ownRecordsReader.ts";
import { createProducerApp } from "./producerApp.ts";
import { producerConfigSchema } from "./producerConfig.ts";
import { createProducerMetrics } from "./producerMetrics.ts";

handleProcessFailures("producer");

const config = loadConfig(producerConfigSchema);
const logger = createLogger({ name: config.PRODUCER_ID, level: config.LOG_LEVEL });
const metrics = createProducerMetrics(config.PRODUCER_ID);
const kafka = createKafkaClient({
  clientId: config.PRODUCER_ID,
  brokers: config.KAFKA_BROKERS,
  logger,
  retry: config,
  onLog: metrics.countKafkaRetry,
});
const admin = kafka.admin();
const partition = ownPartition(
  config.KAFKA_TOPIC,
  config.PRODUCER_ID,
  config.KAFKA_TOPIC_PARTITIONS,
);
let ready = false;

const reader = createOwnRecordsReader({
  kafka,
  admin,
  topic: config.KAFKA_TOPIC,
  partition,
  producerId: config.PRODUCER_ID,
  logger,
  onDuplicate: () => metrics.kafkaDuplicates.inc(),
  onCrash: (error) => lifecycle.fail("the read-back consumer crashed for good", error),
});
const producer = createNumberProducer({
  kafka,
  reader,
  topic: config.KAFKA_TOPIC,
  partition,
  producerId: config.PRODUCER_ID,
  ratePerSecond: config.RATE_PER_SECOND,
  lingerMs: config.LINGER_MS,
  logger,
  onAcknowledged: (count, lastSeq) => metrics.acknowledged(count, lastSeq),
  onSendFailure: (reason) => metrics.sendFailures.inc({ reason }),
  onGiveUp: (error) => lifecycle.fail("the producer could not recover", error),
});
const app = createProducerApp({
  producer,
  probes: { alive: () => producer.state().running || !ready, ready: () => ready },
  metrics: metrics.metrics,
  logger,
});
const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT);
const lifecycle = runServiceLifecycle(logger, async () => {
  ready = false;
  await producer.stop();
  await server.close();
  await reader.stop();
  await admin.disconnect();
});
logger.info({ url: server.url, partition }, "listening");

try {
  await admin.connect();
  await ensureTopic(admin, numbersTopicSpec(config.KAFKA_TOPIC, config.KAFKA_TOPIC_PARTITIONS));
  await reader.start(120_000);
  await producer.start();
  ready = true;
  metrics.ready.set(1);
} catch (error) {
  lifecycle.fail("start failed", error);
}
