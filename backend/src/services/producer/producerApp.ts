import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { parseBody } from "../../lib/parseBody.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import type { NumberProducer } from "./numberProducer.ts";

const rateBody = z.object(
  {
    perSecond: z
      .number({ error: "perSecond must be a number" })
      .min(0, "perSecond must be at least 0")
      .max(MAX_RATE_PER_SECOND, `perSecond must be at most ${MAX_RATE_PER_SECOND}`),
  },
  { error: 'expected a JSON object like {"perSecond": 50}' },
);

export interface ProducerAppOptions {
  producer: NumberProducer;
  probes: Probes;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The producer's HTTP API: its state, its rate (changeable at runtime) and pause/resume, plus the
 * operational endpoints.
 */
export function createProducerApp(options: ProducerAppOptions): Koa {
  const { producer } = options;
  const app = createHttpApp({ logger: options.logger });
  const router = new Router();
  addOperationalRoutes(router, options.probes, options.metrics);
  router.get("/api/state", (ctx) => {
    ctx.body = producer.state();
  });
  router.put("/api/rate", (ctx) => {
    const { perSecond } = parseBody(ctx, rateBody);
    producer.setRate(perSecond);
    options.logger.info({ perSecond }, "rate changed");
    ctx.body = producer.state();
  });
  router.post("/api/pause", async (ctx) => {
    await producer.pause();
    options.logger.info("paused");
    ctx.body = producer.state();
  });
  router.post("/api/resume", (ctx) => {
    producer.resume();
    options.logger.info("resumed");
    ctx.body = producer.state();
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
