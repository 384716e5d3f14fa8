import Router from "@koa/router";
import Koa from "koa";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { addOperationalRoutes } from "../../lib/serviceLifecycle.ts";
import type { BackendPool } from "./backendPool.ts";
import type { BackendProxy } from "./backendProxy.ts";
import type { GatewayMetrics } from "./gatewayMetrics.ts";

/**
 * The gateway's own endpoints live under this prefix: the gateway stands in for a Service, so
 * `/healthz`, `/readyz`, `/metrics` and every other path belong to the consumers behind it (a
 * client asking the gateway for `/readyz` gets a consumer's answer, as it would through a Service).
 */
export const GATEWAY_PREFIX = "/gateway";

export interface GatewayAppOptions {
  pool: BackendPool;
  proxy: BackendProxy;
  metrics: GatewayMetrics;
  logger: Logger;
}

/**
 * Routes `/gateway/*` to the gateway's own endpoints and everything else to a ready consumer.
 *
 * The outer app is a bare Koa dispatcher (so that `listen` serves it) that hands the raw request
 * on: the data path must not pass createHttpApp's body parser and error middleware, which would
 * consume request bodies meant for the consumers and rewrite their answers.
 */
export function createGatewayApp(options: GatewayAppOptions): Koa {
  const { pool, proxy } = options;
  const operational = createHttpApp({ logger: options.logger });
  const router = new Router({ prefix: GATEWAY_PREFIX });
  addOperationalRoutes(
    router,
    // Ready while it can route somewhere: a gateway with no consumer only answers 503s.
    { alive: () => true, ready: () => pool.readyCount() > 0 },
    options.metrics.metrics,
  );
  router.get("/backends", (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = pool.snapshot();
  });
  operational.use(router.routes());
  operational.use(router.allowedMethods({ throw: true }));
  const serveOperational = operational.callback();

  const app = new Koa();
  app.silent = true;
  app.on("error", (error: unknown) => options.logger.error({ err: error }, "request failed"));
  app.use(async (ctx) => {
    // Koa writes nothing itself: the operational app or the proxy answers on the raw response.
    ctx.respond = false;
    if (ctx.path === GATEWAY_PREFIX || ctx.path.startsWith(`${GATEWAY_PREFIX}/`)) {
      await serveOperational(ctx.req, ctx.res);
    } else {
      await proxy.handle(ctx.req, ctx.res);
    }
  });
  return app;
}
