import { timingSafeEqual } from "node:crypto";
import { send } from "@koa/send";
import Router from "@koa/router";
import type Koa from "koa";
import type { Context, Next } from "koa";
import { parseScenario } from "../../chaos/scenarios/scenarioParser.ts";
import { renderReports } from "../../chaos/reports/reportFiles.ts";
import { faultRequestSchema } from "../../contract/fault.ts";
import {
  eventsReportSchema,
  summaryReportSchema,
  type ClientEvent,
  type ClientSummary,
} from "../../contract/fleet.ts";
import type { KafkaSample } from "../../contract/kafkaSnapshot.ts";
import { runRequestSchema, type Stopped } from "../../contract/runs.ts";
import type { ScenarioFile } from "../../contract/scenarioFile.ts";
import type { SessionInfo, Topology } from "../../contract/topology.ts";
import { httpStatusOf } from "../../lib/errors.ts";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { parseBody } from "../../lib/parseBody.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import type { FaultTracker } from "./faultTracker.ts";
import type { FleetFeed } from "./fleetFeed.ts";
import type { ScenarioRunner } from "./scenarioRunner.ts";

export interface ControlAppOptions {
  readonly tracker: FaultTracker;
  readonly runner: ScenarioRunner;
  readonly feed: FleetFeed;
  topology(): Promise<Topology>;
  /** Aborts running scenarios and thaws frozen targets. */
  emergencyStop(): Promise<Stopped>;
  /** The operator token; undefined when control is bound to loopback without one. */
  readonly token: string | undefined;
  /** The built dashboard (its index.html and assets); `page` is served when it is not built. */
  readonly dashboardDir: string | undefined;
  readonly page: string;
  /** What the dashboard shows of the lab and links to. */
  readonly session: Pick<SessionInfo, "mode" | "links">;
  /** Kafka's side of the charts: samples since a time (an hour is kept). */
  kafkaSeries(since: number): KafkaSample[];
  /** The scenario library the dashboard offers. */
  scenarios(): Promise<ScenarioFile[]>;
  readonly probes: Probes;
  /** The timeline and the runs have been read back (after a restart: from Kafka). */
  loaded(): boolean;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Client reports as they arrive, for socket.io subscribers. */
  onSummary(source: string, summary: ClientSummary): void;
  onEvents(events: ClientEvent[]): void;
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Control's HTTP API (DESIGN §1 Control API). Mutating calls (faults, emergency stop) need the
 * operator token when one is configured and are audited in the log, refused or not; the clients'
 * reports are not operator actions and need none.
 */
export function createControlApp(options: ControlAppOptions): Koa {
  const { tracker, feed, logger } = options;
  // Fleets send up to 2 000 events a batch.
  const app = createHttpApp({ logger, jsonLimit: "1mb" });
  const router = new Router();
  addOperationalRoutes(router, options.probes, options.metrics);

  const operator = async (ctx: Context, next: Next): Promise<void> => {
    let outcome = "error";
    try {
      if (options.token !== undefined && !tokenMatches(options.token, ctx.get("authorization"))) {
        ctx.throw(401, "this call needs the operator token: Authorization: Bearer <CONTROL_TOKEN>");
      }
      await next();
      outcome = String(ctx.status);
    } catch (error) {
      outcome = String(httpStatusOf(error));
      throw error;
    } finally {
      logger.info(
        {
          audit: true,
          method: ctx.method,
          path: ctx.path,
          from: ctx.ip,
          body: ctx.request.body,
          status: outcome,
        },
        "operator call",
      );
    }
  };

  /**
   * Until control has read its timeline and runs back (a restart), "no such fault or run" may only
   * mean "not read yet": a 503 to try again, not a 404 that a client would take as final.
   */
  const notFound = (ctx: Context, what: string): never => {
    if (options.loaded()) return ctx.throw(404, `no ${what}`);
    ctx.set("Retry-After", "1");
    return ctx.throw(
      503,
      `control is starting (reading its faults and runs back); no ${what} yet`,
      {
        expose: true,
      },
    );
  };

  router.get("/api/session", (ctx) => {
    const session: SessionInfo = {
      ...options.session,
      tokenRequired: options.token !== undefined,
      // The dashboard asks with the token it was given: read-only when it is wrong or missing.
      operator:
        options.token === undefined || tokenMatches(options.token, ctx.get("authorization")),
    };
    ctx.body = session;
  });
  router.get("/api/targets", async (ctx) => {
    ctx.body = (await options.topology()).targets;
  });
  router.get("/api/topology", async (ctx) => {
    ctx.body = await options.topology();
  });
  router.post("/api/faults", operator, async (ctx) => {
    const outcome = await tracker.inject({ ...parseBody(ctx, faultRequestSchema), actor: "api" });
    switch (outcome.kind) {
      case "planned":
        ctx.status = 200;
        ctx.body = { dryRun: true, plan: outcome.plan };
        return;
      case "injected":
        ctx.status = 201;
        ctx.body = outcome.fault;
        return;
    }
  });
  router.get("/api/faults", (ctx) => {
    ctx.body = { faults: tracker.list() };
  });
  router.get("/api/faults/:id", (ctx) => {
    const fault = tracker.get(ctx.params.id ?? "");
    if (fault === undefined) return notFound(ctx, `fault ${JSON.stringify(ctx.params.id)}`);
    ctx.body = fault;
  });
  router.post("/api/stop", operator, async (ctx) => {
    ctx.body = await options.emergencyStop();
  });
  router.post("/api/runs", operator, async (ctx) => {
    const body = parseBody(ctx, runRequestSchema);
    // A ScenarioError is an InvalidInputError: a 400 naming each wrong field with its line.
    const scenario = parseScenario(body.scenario, body.fileName);
    const started = await options.runner.start(scenario, body.actor);
    ctx.status = 201;
    ctx.body = { id: started.id, status: started.status };
  });
  router.get("/api/runs/:id/reports/:file", (ctx) => {
    const run = options.runner.get(ctx.params.id ?? "");
    if (run === undefined) return notFound(ctx, `run ${JSON.stringify(ctx.params.id)}`);
    const files = renderReports(run.scorecard).files;
    const file = files.find(([name]) => name === ctx.params.file);
    if (file === undefined) {
      return ctx.throw(
        404,
        `no report ${JSON.stringify(ctx.params.file)}; reports are ${files.map(([name]) => name).join(", ")}`,
      );
    }
    ctx.type = file[0].slice(file[0].lastIndexOf("."));
    ctx.body = file[1];
  });
  router.get("/api/scenarios", async (ctx) => {
    ctx.body = { scenarios: await options.scenarios() };
  });
  router.get("/api/runs", (ctx) => {
    ctx.body = {
      runs: options.runner.list().map((run) => ({
        id: run.id,
        scenario: run.scorecard.run.scenario,
        status: run.status,
        startedAt: run.scorecard.run.startedAt,
      })),
    };
  });
  router.get("/api/runs/:id", (ctx) => {
    const run = options.runner.get(ctx.params.id ?? "");
    if (run === undefined) return notFound(ctx, `run ${JSON.stringify(ctx.params.id)}`);
    ctx.body = run;
  });
  router.post("/api/runs/:id/abort", operator, (ctx) => {
    const id = ctx.params.id ?? "";
    const run = options.runner.get(id);
    if (run === undefined) return notFound(ctx, `run ${JSON.stringify(id)}`);
    if (!options.runner.abort(id, "aborted by the operator")) {
      return ctx.throw(409, `run ${id} is not running (${run.status})`);
    }
    ctx.body = { id, aborting: true };
  });
  // Browser pages are served by the consumers (another origin) and report here: the one
  // cross-origin route. Reports carry no credentials and change nothing but the feed.
  const allowPages = (ctx: Context): void => {
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.set("Access-Control-Allow-Methods", "POST");
    ctx.set("Access-Control-Allow-Headers", "content-type");
    ctx.set("Access-Control-Max-Age", "600");
  };
  router.options("/api/fleet/summary", (ctx) => {
    allowPages(ctx);
    ctx.status = 204;
  });
  router.post("/api/fleet/summary", (ctx) => {
    allowPages(ctx);
    const { source, ...summary } = parseBody(ctx, summaryReportSchema);
    feed.addSummary(source, summary);
    options.onSummary(source, summary);
    ctx.status = 204;
  });
  router.post("/api/fleet/events", (ctx) => {
    const { events } = parseBody(ctx, eventsReportSchema);
    feed.addEvents(events);
    if (events.length > 0) options.onEvents(events);
    ctx.status = 204;
  });
  router.get("/api/fleet", (ctx) => {
    ctx.body = { latest: feed.latest(), history: feed.history(sinceOf(ctx)) };
  });
  router.get("/api/kafka/series", (ctx) => {
    ctx.body = { samples: options.kafkaSeries(sinceOf(ctx)) };
  });
  router.get("/api/anomalies", (ctx) => {
    const limit = Number(ctx.query.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
      return ctx.throw(400, "limit must be a whole number from 1 to 5000");
    }
    ctx.body = { anomalies: feed.events(limit) };
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  app.use(dashboard(options.dashboardDir, options.page));
  return app;
}

function sinceOf(ctx: Context): number {
  const since = Number(ctx.query.since ?? 0);
  if (!Number.isFinite(since)) return ctx.throw(400, "since must be ms since the epoch");
  return since;
}

/**
 * The dashboard's files for any GET the API did not answer. Vite names assets after their
 * content, so they may be cached for good; index.html never is, so a rebuilt dashboard shows.
 */
function dashboard(dir: string | undefined, placeholder: string): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      await next();
      return;
    }
    if (dir === undefined) {
      if (ctx.path !== "/") {
        await next();
        return;
      }
      ctx.type = "html";
      ctx.body = placeholder;
      return;
    }
    const asset = ctx.path.startsWith("/assets/");
    try {
      await send(ctx, ctx.path, {
        root: dir,
        index: "index.html",
        maxage: asset ? 365 * 24 * 3600 * 1000 : 0,
        immutable: asset,
      });
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      await next();
    }
  };
}
