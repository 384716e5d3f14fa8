import fc from "fast-check";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import * as props from "../../lib/httpProperties.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import { createNumberProducer, type NumberProducer } from "./numberProducer.ts";
import type { OwnRecordsReader } from "./ownRecordsReader.ts";
import { createProducerApp } from "./producerApp.ts";
import { createProducerMetrics } from "./producerMetrics.ts";

/** Every route the producer serves, the operational ones included. */
const ROUTES = [
  ...props.OPERATIONAL_ROUTES,
  "/api/state",
  "/api/rate",
  "/api/pause",
  "/api/resume",
];

const validRate = fc.oneof(
  fc.integer({ min: 0, max: MAX_RATE_PER_SECOND }),
  fc.double({ min: 0, max: MAX_RATE_PER_SECOND, noNaN: true }),
);

let server: RunningServer;
let producer: NumberProducer;

beforeAll(async () => {
  const logger = createLogger({ name: "test", level: "silent" });
  // Never started: the HTTP API only reads and sets its state, so no Kafka is needed.
  producer = createNumberProducer({
    kafka: {} as Kafka,
    reader: {} as OwnRecordsReader,
    topic: "blackout.numbers",
    partition: 0,
    producerId: "producer-0",
    ratePerSecond: 20,
    logger,
    onAcknowledged: () => undefined,
    onSendFailure: () => undefined,
    onGiveUp: () => undefined,
  });
  const app = createProducerApp({
    producer,
    probes: { alive: () => true, ready: () => true },
    metrics: createProducerMetrics("producer-0").metrics,
    logger,
  });
  server = await listen(app, "127.0.0.1", 0);
});
afterAll(async () => {
  await server.close();
});

const rateBodies = props.bodyText(
  fc.oneof(props.bodyLike({ perSecond: validRate }), props.anyJson),
);

describe("the producer's HTTP API, under random requests", () => {
  it("answers any request below 500, a 4xx saying what is wrong and changing nothing", async () => {
    const requests = props.anyRequest(
      fc.tuple(props.pathsOf(ROUTES), props.queryOf()).map(([path, query]) => path + query),
      rateBodies,
    );
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        await props.checkRequest(server.url, request, () => producer.state());
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("sets exactly the rate a valid body asks for, unknown fields aside, or says what is wrong and keeps the rate", async () => {
    const requests = fc.record({
      method: fc.constant("PUT"),
      path: fc.constant("/api/rate"),
      headers: props.anyHeaders,
      body: rateBodies,
    });
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const { answer } = await props.checkRequest(server.url, request, () => producer.state());
        if (answer.status === 200) {
          const { perSecond } = JSON.parse(request.body) as { perSecond: number };
          expect(producer.state().ratePerSecond).toBe(perSecond);
        } else {
          expect(answer.text).toMatch(/perSecond|body|Content-Encoding|expected a JSON object/);
        }
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("answers a body over 16 KiB with a 413, leaving the rate as it was", async () => {
    await props.expectBodyTooLarge(server.url, "PUT", "/api/rate", () => producer.state());
  });
});
