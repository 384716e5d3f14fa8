import { PassThrough } from "node:stream";
import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { parseBody } from "../../lib/parseBody.ts";
import type { Metrics } from "../../lib/metrics.ts";
import type { LocalSupervisor, SupervisorEvent } from "./localSupervisor.ts";
import { KILL_MODES } from "../../contract/targets.ts";

const killBody = z.object(
  { mode: z.enum(KILL_MODES, { error: 'mode must be "graceful" or "hard"' }) },
  { error: 'expected a JSON object like {"mode": "graceful"}' },
);

const freezeBody = z.object(
  {
    seconds: z
      .number({ error: "seconds must be a number" })
      .min(1, "seconds must be at least 1")
      .max(600, "seconds must be at most 600"),
  },
  { error: 'expected a JSON object like {"seconds": 30}' },
);

export interface SupervisorAppOptions {
  supervisor: LocalSupervisor;
  logger: Logger;
  /** What `/metrics` serves: the supervisor's own (supervisorMetrics.ts). */
  metrics: Metrics;
  /** How often an idle event stream gets a comment, so that no proxy or client times it out. */
  keepAliveMs?: number;
}

/**
 * The supervisor's HTTP API, local mode's kubelet: what control's local orchestrator calls.
 * It listens on 127.0.0.1 only and has no auth of its own. The supervisor's UnknownTargetError
 * (404) carries the known targets (`targets`), so that the client can raise the same error.
 */
export function createSupervisorApp(options: SupervisorAppOptions): Koa {
  const { supervisor, logger } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const app = createHttpApp({ logger });
  const router = new Router();

  router.get("/healthz", (ctx) => {
    ctx.body = { alive: true };
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = options.metrics.registry.contentType;
    ctx.body = await options.metrics.metricsText();
  });
  router.get("/api/targets", (ctx) => {
    ctx.body = supervisor.targets();
  });
  router.get("/api/components", (ctx) => {
    ctx.body = supervisor.components();
  });
  router.post("/api/targets/:name/kill", async (ctx) => {
    const { mode } = parseBody(ctx, killBody);
    const name = ctx.params.name ?? "";
    await supervisor.kill(name, mode);
    // The signal went out just now: this is the fault's t0, closer than any caller's clock.
    const at = Date.now();
    logger.info({ target: name, mode }, "killed");
    ctx.status = 202;
    ctx.body = { target: name, mode, at };
  });
  router.post("/api/targets/:name/freeze", async (ctx) => {
    const { seconds } = parseBody(ctx, freezeBody);
    const name = ctx.params.name ?? "";
    await supervisor.freeze(name, seconds);
    const at = Date.now();
    logger.info({ target: name, seconds }, "frozen");
    ctx.status = 202;
    ctx.body = { target: name, seconds, at };
  });
  router.post("/api/thaw", (ctx) => {
    const thawed = supervisor.thawAll();
    if (thawed.length > 0) logger.info({ targets: thawed }, "thawed");
    ctx.body = { thawed };
  });
  router.get("/api/events", (ctx) => {
    // Replay from the client's last event (EventSource sends Last-Event-ID on a reconnect); a
    // client that names none gets only what happens from now on.
    const from = ctx.get("last-event-id") || queryString(ctx.query["after"]);
    if (from !== undefined && !/^\d{1,15}$/.test(from)) {
      return ctx.throw(400, `Last-Event-ID or after must be an event seq (0 or more), got ${from}`);
    }
    const after = from === undefined ? undefined : Number(from);
    const stream = new PassThrough();
    const send = (event: SupervisorEvent): void => {
      const { seq, ...lifecycle } = event;
      stream.write(`id: ${seq}\ndata: ${JSON.stringify(lifecycle)}\n\n`);
    };
    // Headers go out with the first bytes: the client knows at once that it is connected.
    stream.write(": connected\n\n");
    if (after !== undefined) supervisor.eventsAfter(after).forEach(send);
    const unsubscribe = supervisor.onEvent(send);
    const keepAlive = setInterval(() => stream.write(": keep-alive\n\n"), keepAliveMs);
    // Koa destroys the body stream when the response ends or the client goes away.
    stream.once("close", () => {
      unsubscribe();
      clearInterval(keepAlive);
    });
    ctx.req.socket.setTimeout(0);
    ctx.set({ "cache-control": "no-cache", connection: "keep-alive" });
    ctx.type = "text/event-stream";
    ctx.body = stream;
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}

function queryString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
