import Router from "@koa/router";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type Koa from "koa";
import { MAX_WAIT_MS, type RecordsAnswer } from "../../contract/recordsAnswer.ts";
import { InvalidInputError, httpStatusOf } from "../../lib/errors.ts";
import { createHttpApp } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import type { ConsumerMetrics } from "./consumerMetrics.ts";
import { CursorError, formatCursor, parseCursor, type Cursor } from "./cursor.ts";
import type { View } from "./view.ts";

export interface ConsumerAppOptions {
  /** Named in every answer, so that a client knows which consumer served it. */
  consumerId: string;
  view: Pick<View, "heads" | "after" | "nextAdd">;
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

  router.get("/api/records", async (ctx) => {
    // A CursorError is an InvalidInputError: a 400 saying what is wrong with it.
    const cursor = cursorParameter(ctx.query.cursor);
    const waitMs = waitParameter(ctx.query.wait);
    // Never stored: every poll must reach a consumer, not a browser or proxy cache.
    ctx.set("Cache-Control", "no-store");
    if (cursor === undefined) {
      // A new client subscribes from now: nothing yet, and a cursor at the heads.
      const heads = view.heads();
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
    let found = view.after(cursor, options.maxRecordsPerAnswer);
    // A long-poll: nothing new yet, so the answer waits for the next record (or the wait's end,
    // or the client leaving). A consumer that is not ready answers at once: the client may find
    // a ready one.
    if (waitMs > 0 && found.records.length === 0 && probes.ready()) {
      await nextRecordOrTimeout(view, waitMs, ctx.res);
      found = view.after(cursor, options.maxRecordsPerAnswer);
    }
    const { records, truncated, behind } = found;
    const heads = view.heads();
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

/** `wait=ms`: 0 (the default) answers at once, as plain polling does. */
function waitParameter(raw: string | string[] | undefined): number {
  if (raw === undefined) return 0;
  if (Array.isArray(raw) || !/^\d{1,5}$/.test(raw) || Number(raw) > MAX_WAIT_MS) {
    throw new InvalidInputError(`wait must be a whole number of ms from 0 to ${MAX_WAIT_MS}`);
  }
  return Number(raw);
}

/** Resolves at the view's next record, after `waitMs`, or when the client closed the request. */
async function nextRecordOrTimeout(
  view: Pick<View, "nextAdd">,
  waitMs: number,
  response: ServerResponse,
): Promise<void> {
  const done = new AbortController();
  const left = (): void => done.abort();
  response.once("close", left);
  try {
    await Promise.race([
      view.nextAdd(),
      sleep(waitMs, undefined, { signal: done.signal }).catch(() => undefined),
    ]);
  } finally {
    done.abort();
    response.off("close", left);
  }
}

function cursorParameter(raw: string | string[] | undefined): Cursor | undefined {
  if (Array.isArray(raw)) throw new CursorError("cursor: given more than once");
  return parseCursor(raw ?? "");
}
