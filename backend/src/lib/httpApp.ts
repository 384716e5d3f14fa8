import type { Server } from "node:http";
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import { BlackoutError, httpStatusOf } from "./errors.ts";
import type { Logger } from "./logger.ts";

export interface HttpAppOptions {
  logger: Logger;
  /** Largest JSON body accepted; more is a 413. */
  jsonLimit?: string;
}

/**
 * A Koa app with the one error middleware every Blackout service uses. A BlackoutError is answered
 * with its status, and Koa's HttpErrors (`ctx.throw`) with theirs: a 4xx answers
 * `{ "error": "<what was wrong>" }` plus the error's `details`, a 5xx (or any other error) answers
 * `{ "error": "internal error" }` and is logged once with its stack. JSON bodies are parsed with a
 * size limit and a nesting limit.
 */
export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.throw(404, `no such endpoint: ${ctx.method} ${ctx.path}`);
      }
    } catch (error: unknown) {
      const status = httpStatusOf(error);
      ctx.status = status;
      if (status >= 500) {
        options.logger.error({ err: error, method: ctx.method, path: ctx.path }, "request failed");
        ctx.body = { error: "internal error" };
      } else {
        const details = error instanceof BlackoutError ? error.details : undefined;
        ctx.body = { ...details, error: error instanceof Error ? error.message : String(error) };
      }
    }
  });
  app.use(
    bodyParser({
      enableTypes: ["json"],
      jsonLimit: options.jsonLimit ?? "16kb",
      encoding: "utf-8",
      onError: (error, ctx) => {
        // The parser stopped reading mid-body (a corrupt gzip stream, a limit crossed while
        // streaming): drain the rest, or the answer is lost to a connection reset.
        ctx.req.resume();
        if (httpStatusOf(error) === 413) ctx.throw(413, "request body too large");
        ctx.throw(400, unreadableBody(error));
      },
    }),
  );
  app.use(async (ctx, next) => {
    if (nestedDeeperThan(ctx.request.body, MAX_JSON_LEVELS)) {
      ctx.throw(400, `body is nested deeper than ${MAX_JSON_LEVELS} levels`);
    }
    await next();
  });
  // Koa's own default would print every error to stderr a second time.
  app.silent = true;
  return app;
}

/** Why the JSON parser refused a body, in words a caller can act on. */
function unreadableBody(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  // The parser takes only an object or an array at the top (its strict mode)...
  if (message.includes("only supports object and array")) {
    return "body must be a JSON object or array";
  }
  // ...and refuses keys that would replace an object's prototype.
  if (message.includes("forbidden prototype property")) {
    return 'body must not have a "__proto__" key';
  }
  return "body is not valid JSON";
}

/**
 * Far deeper than any Blackout body. What a route keeps as it came (a client's extra fields) is
 * serialised again later, recursively (log lines, socket.io, answers): past a few thousand levels
 * that overflows the stack, and every later read of it answers 500.
 */
const MAX_JSON_LEVELS = 64;

/** Whether arrays and objects nest more than `limit` levels in `value`; without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const isContainer = (v: unknown): v is object => typeof v === "object" && v !== null;
  let level: object[] = isContainer(value) ? [value] : [];
  for (let levels = 1; level.length > 0; levels += 1) {
    if (levels > limit) return true;
    level = level.flatMap((container) => Object.values(container).filter(isContainer));
  }
  return false;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export function listen(app: Koa, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address();
      const actualPort = typeof address === "object" && address !== null ? address.port : port;
      resolve({
        server,
        url: `http://${host}:${actualPort}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
