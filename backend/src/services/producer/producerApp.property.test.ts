import fc from "fast-check";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import {
  anyJson,
  anyRequest,
  bodyLike,
  bodyText,
  checkRequest,
  expectBodyTooLarge,
  hasProtoKey,
  PROPERTY_RUNS,
  pathsOf,
  queryOf,
} from "../../lib/httpProperties.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import { createNumberProducer, type NumberProducer } from "./numberProducer.ts";
import type { OwnRecordsReader } from "./ownRecordsReader.ts";
import { createProducerApp } from "./producerApp.ts";
import { createProducerMetrics } from "./producerMetrics.ts";

/** Every route the producer serves, the operational ones included. */
const ROUTES = [
  "/healthz",
  "/readyz",
  "/metrics",
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

describe("the producer's HTTP API, under random requests", () => {
  it("answers any request below 500, a 4xx saying what is wrong and changing nothing", async () => {
    const requests = anyRequest(
      fc.tuple(pathsOf(ROUTES), queryOf()).map(([path, query]) => path + query),
      bodyText(fc.oneof(bodyLike({ perSecond: validRate }), anyJson)),
    );
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const { answer } = await checkRequest(server.url, request, () => producer.state());
        if (request.method === "PUT" && request.path === "/api/rate" && answer.status === 400) {
          expect(answer.text).toMatch(/perSecond|body|Content-Encoding|expected a JSON object/);
        }
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it("sets exactly the rate asked for, whatever unknown fields come with it (but __proto__)", async () => {
    const bodies = fc
      .tuple(validRate, bodyLike({}))
      .map(([perSecond, extra]) => ({ ...extra, perSecond }));
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const request = {
          method: "PUT",
          path: "/api/rate",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        };
        const before = producer.state().ratePerSecond;
        const { answer, body: answered } = await checkRequest(server.url, request);
        if (hasProtoKey(body)) {
          expect(answered).toEqual({ error: 'body has a "__proto__" key, which is refused' });
          expect(producer.state().ratePerSecond).toBe(before);
        } else {
          expect(answer.status).toBe(200);
          expect(producer.state().ratePerSecond).toBe(body.perSecond);
        }
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it("answers a body over 16 KiB with a 413, leaving the rate as it was", async () => {
    await expectBodyTooLarge(server.url, "PUT", "/api/rate", () => producer.state());
  });
});
