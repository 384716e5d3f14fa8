import Router from "@koa/router";
import type Koa from "koa";
import type { RecordsAnswer } from "../../contract/recordsAnswer.ts";
import { httpStatusOf } from "../../lib/errors.ts";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import type { ConsumerMetrics } from "./consumerMetrics.ts";
import { CursorError, formatCursor, parseCursor, type Cursor } from "./cursor.ts";
import type { View } from "./view.ts";

export interface ConsumerAppOptions {
  /** Named in every answer, so that a client knows which consumer served it. */
  consumerId: string;
  view: Pick<View, "heads" | "after">;
  probes: Probes;
  metrics: ConsumerMetrics;
  logger: Logger;
  maxRecordsPerAnswer: number;
  /** Further routes served by the same app: the client page (`GET /` and its script). */
  extraRoutes?: Router;
}

/**
 * The consumer's HTTP API (DESIGN §1): `GET /api/records?cursor=…` and the operational endpoints.
 * It answers before the view is complete too, saying `ready: false`: routing to ready consumers
 * is the gateway's decision, and a client compares heads to tell a stale view.
 */
export function createConsumerApp(options: ConsumerAppOptions): Koa {
  const { view, probes, metrics } = options;
  const app = createHttpApp({ logger: options.logger });
  const router = new Router();
  addOperationalRoutes(router, probes, metrics.metrics);

  router.get("/api/records", (ctx) => {
    // A CursorError is an InvalidInputError: a 400 saying what is wrong with it.
    const cursor = cursorParameter(ctx.query.cursor);
    const heads = view.heads();
    // Never stored: every poll must reach a consumer, not a browser or proxy cache.
    ctx.set("Cache-Control", "no-store");
    if (cursor === undefined) {
      // A new client subscribes from now: nothing yet, and a cursor at the heads.
      const subscribed: RecordsAnswer = {
        consumer: options.consumerId,
        ready: probes.ready(),
        records: [],
        cursor: formatCursor(new Map(Object.entries(heads))),
        heads,
        truncated: false,
      };
      ctx.body = subscribed;
      return;
    }
    const { records, truncated, behind } = view.after(cursor, options.maxRecordsPerAnswer);
    // Per producer the last seq returned, else what the client sent (its position is unchanged).
    const next = new Map(cursor);
    for (const record of records) next.set(record.producer, record.seq);
    const answer: RecordsAnswer = {
      consumer: options.consumerId,
      ready: probes.ready(),
      records,
      cursor: formatCursor(next),
      heads,
      truncated,
      // Only when someone is behind: the common answer stays as small as it was.
      ...(Object.keys(behind).length === 0 ? {} : { behind }),
    };
    ctx.body = answer;
  });

  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith("/api/")) {
      await next();
      return;
    }
    // Whether it was ready when the request came: a Service (or the gateway) must send none
    // while it is not, and the lab checks that from here.
    const ready = String(probes.ready());
    try {
      await next();
      metrics.apiRequests.inc({ status: String(ctx.status), ready });
    } catch (error) {
      metrics.apiRequests.inc({ status: String(httpStatusOf(error)), ready });
      throw error;
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  if (options.extraRoutes !== undefined) {
    app.use(options.extraRoutes.routes());
    app.use(options.extraRoutes.allowedMethods({ throw: true }));
  }
  return app;
}

function cursorParameter(raw: string | string[] | undefined): Cursor | undefined {
  if (Array.isArray(raw)) throw new CursorError("cursor: given more than once");
  return parseCursor(raw ?? "");
}
