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
import { BlackoutError, httpStatusOf } from "../../lib/errors.ts";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { parseBody } from "../../lib/parseBody.ts";
import { inlineSources, securityHeaders } from "../../lib/securityHeaders.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import type { TokenBucket } from "../../lib/tokenBucket.ts";
import type { FaultTracker } from "./faultTracker.ts";
import type { FleetFeed } from "./fleetFeed.ts";
import { bearerToken, tokenMatches } from "./operatorToken.ts";
import { isOwnOrigin, isPageOrigin } from "./origins.ts";
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
  /** Reading the lab needs the token too: beyond loopback, unless CONTROL_OPEN_READS. */
  readonly readsNeedToken: boolean;
  /** Faults and runs an operator may start (FAULT_RATE_BURST, FAULT_RATE_INTERVAL_MS). */
  readonly faultRate: TokenBucket;
  /** A call refused by `faultRate`, for the metric. */
  onRateLimited(route: string): void;
  /** Other origins than this machine's whose client pages may report (PAGE_ORIGINS). */
  readonly pageOrigins: readonly string[];
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

/**
 * Control's HTTP API (DESIGN §1 Control API). Mutating calls (faults, emergency stop) need the
 * operator token when one is configured and are audited in the log, refused or not; the clients'
 * reports are not operator actions and need none.
 */
export function createControlApp(options: ControlAppOptions): Koa {
  const { tracker, feed, logger } = options;
  // Fleets send up to 2 000 events a batch.
  const app = createHttpApp({
    logger,
    jsonLimit: "1mb",
    headers: securityHeaders(DASHBOARD_POLICY),
  });
  // Browsers send Origin with every call from another page: only the dashboard (this origin) may
  // change anything, and client pages may post their summaries. A page elsewhere on the web
  // cannot stop runs or thaw targets through an operator's browser, token or not.
  app.use(async (ctx, next) => {
    const origin = ctx.get("origin");
    const reads = ctx.method === "GET" || ctx.method === "HEAD";
    const pageReport =
      ctx.path === "/api/fleet/summary" && isPageOrigin(origin, options.pageOrigins);
    if (origin !== "" && !reads && !pageReport && !isOwnOrigin(origin, ctx.host)) {
      ctx.throw(
        403,
        `calls from ${origin} are refused: only control's own dashboard may call it, and client pages on loopback or in PAGE_ORIGINS may report`,
      );
    }
    await next();
  });
  const router = new Router();
  addOperationalRoutes(router, options.probes, options.metrics);

  // A runaway script cannot kill faster than this, whatever the guards would allow. Taken after
  // the token check (a caller without it cannot spend the operator's budget) and after the body
  // is parsed (a bad body or a dry run changes nothing, so costs nothing). The emergency stop and
  // aborts are never limited: they end harm, and an operator must always be able to stop.
  // Scenario steps do not count either: a run is one call here, and its steps are paced by its
  // own waits and judged by the guards like any fault.
  const limitHarm = (ctx: Context): void => {
    const taken = options.faultRate.take();
    if (taken.allowed) return;
    const { burst, intervalMs } = options.faultRate;
    const retryAfterSeconds = Math.ceil(taken.retryAfterMs / 1000);
    options.onRateLimited(ctx.path);
    ctx.set("Retry-After", String(retryAfterSeconds));
    throw new BlackoutError(
      "rate_limited",
      `too many faults and runs: ${burst} at once, then one every ${intervalMs} ms (FAULT_RATE_BURST, FAULT_RATE_INTERVAL_MS); retry in ${retryAfterSeconds} s`,
      { status: 429, retriable: true, details: { retryAfterSeconds, burst, intervalMs } },
    );
  };

  const authorized = (ctx: Context): boolean =>
    options.token === undefined ||
    tokenMatches(options.token, bearerToken(ctx.get("authorization")));
  // The lab's state is the operator's too when reads need the token. /api/session stays open (it
  // tells the dashboard to ask for the token), and so do the probes, /metrics (Prometheus scrapes
  // without a token) and the dashboard's files, which hold no state.
  app.use(async (ctx, next) => {
    const read = ctx.method === "GET" || ctx.method === "HEAD";
    const api = ctx.path.startsWith("/api/") && ctx.path !== "/api/session";
    if (options.readsNeedToken && read && api && !authorized(ctx)) {
      ctx.throw(
        401,
        "reading the lab needs the operator token here (control listens beyond loopback): Authorization: Bearer <CONTROL_TOKEN>, or CONTROL_OPEN_READS=true",
      );
    }
    await next();
  });

  const operator = async (ctx: Context, next: Next): Promise<void> => {
    let outcome = "error";
    try {
      if (!authorized(ctx)) {
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
      operator: authorized(ctx),
      viewer: !options.readsNeedToken || authorized(ctx),
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
    const request = parseBody(ctx, faultRequestSchema);
    if (request.dryRun !== true) limitHarm(ctx);
    const outcome = await tracker.inject({ ...request, actor: "api" });
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
    limitHarm(ctx);
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
  // cross-origin route, open to the pages' origins only (the middleware above refused others).
  // Reports carry no credentials and change nothing but the feed.
  const allowPages = (ctx: Context): void => {
    const origin = ctx.get("origin");
    if (origin === "") return;
    ctx.vary("Origin");
    ctx.set("Access-Control-Allow-Origin", origin);
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

/**
 * What the dashboard may load: its own scripts, styles and API, socket.io's websocket to this
 * same origin ('self' covers ws: since CSP 3), and the favicon's data: URL. React and the charts
 * set styles through the DOM (element.style), which a policy does not restrict; links to Grafana
 * and the trace UI are navigations, which it does not restrict either.
 */
const DASHBOARD_POLICY = {
  "default-src": ["'none'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
};

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
  // The placeholder carries its script and styles inline: exactly those are allowed.
  const placeholderHeaders = securityHeaders({
    ...DASHBOARD_POLICY,
    "script-src": inlineSources(placeholder, "script"),
    "style-src": inlineSources(placeholder, "style"),
  });
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
      ctx.set(placeholderHeaders);
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
