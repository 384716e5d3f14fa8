import type Router from "@koa/router";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { reportProcessFailuresTo } from "./processFailures.ts";
import { shutdownTelemetry } from "./telemetry.ts";

export interface Probes {
  /** The process works (DESIGN: alive means working, never half-alive). */
  alive(): boolean;
  /** The service should receive traffic. */
  ready(): boolean;
}

/** `/healthz`, `/readyz` (200 or 503, with a small JSON body) and `/metrics` for one service. */
export function addOperationalRoutes(router: Router, probes: Probes, metrics: Metrics): void {
  router.get("/healthz", (ctx) => {
    const alive = probes.alive();
    ctx.status = alive ? 200 : 503;
    ctx.body = { alive };
  });
  router.get("/readyz", (ctx) => {
    const ready = probes.ready();
    ctx.status = ready ? 200 : 503;
    ctx.body = { ready };
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.metricsText();
  });
}

export interface ServiceLifecycle {
  /**
   * The service cannot recover on its own (e.g. a kafkajs client crashed for good): log it and
   * exit non-zero so that its supervisor (the local lab, Kubernetes) starts a fresh one.
   */
  fail(reason: string, error?: unknown): never;
}

/**
 * Wires a service's process: SIGTERM/SIGINT run `stop` once (then flush telemetry and exit 0),
 * and any background failure nobody awaited (an unhandled rejection or exception) is fatal:
 * logged once, exit 1. A second signal while stopping exits at once.
 */
export function runServiceLifecycle(logger: Logger, stop: () => Promise<void>): ServiceLifecycle {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal while stopping: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    stop()
      .then(() => shutdownTelemetry())
      .then(
        () => {
          logger.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "stop failed");
          process.exit(1);
        },
      );
  };
  const fail = (reason: string, error?: unknown): never => {
    logger.fatal({ err: error }, reason);
    process.exit(1);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  reportProcessFailuresTo((reason, error) => logger.fatal({ err: error }, reason));
  return { fail };
}
