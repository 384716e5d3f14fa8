import { createServer, type Server } from "node:http";
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import { BlackoutError, httpStatusOf } from "./errors.ts";
import type { Logger } from "./logger.ts";

export interface HttpAppOptions {
  logger: Logger;
  /** Largest JSON body accepted; more is a 413. */
  jsonLimit?: string;
  /** Headers every answer carries, errors included (a page's securityHeaders). */
  headers?: Record<string, string>;
}

/**
 * A Koa app with the one error middleware every Blackout service uses. A BlackoutError is answered
 * with its status, and Koa's HttpErrors (`ctx.throw`) with theirs: a 4xx answers
 * `{ "error": "<what was wrong>" }` plus the error's `details`, a 5xx (or any other error) answers
 * `{ "error": "internal error" }` and is logged once with its stack, unless it was thrown with
 * `expose: true` to explain itself. JSON bodies are parsed with a size limit and a nesting limit.
 * `headers` are set before anything else runs, so even a refused body carries them.
 */
export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (options.headers !== undefined) ctx.set(options.headers);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.throw(404, `no such endpoint: ${ctx.method} ${ctx.path}`);
      }
    } catch (error: unknown) {
      const status = httpStatusOf(error);
      ctx.status = status;
      // A 5xx thrown on purpose with `expose` (a 503 "starting, try again") says why; others hide.
      const exposed = (error as { expose?: unknown } | null)?.expose === true;
      if (status >= 500 && !exposed) {
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
        const status = httpStatusOf(error);
        if (status === 413) ctx.throw(413, "request body too large");
        // A Content-Encoding or charset it cannot read: the parser's message names it.
        if (status === 415) ctx.throw(415, error.message);
        ctx.throw(400, bodyProblem(error));
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

/**
 * What is wrong with a body the JSON parser refused. Valid JSON is refused too when it is not an
 * object or array, or when it has a `__proto__` key anywhere (prototype poisoning): saying "not
 * valid JSON" then would send the client looking for a syntax error.
 */
function bodyProblem(error: Error): string {
  if (error.message.includes("forbidden prototype property")) {
    return 'body must not have a "__proto__" key';
  }
  if (error.message.includes("only supports object and array")) {
    return "body must be a JSON object or array";
  }
  if ((error as { code?: unknown }).code?.toString().startsWith("Z_") === true) {
    return "body does not match its Content-Encoding";
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

/**
 * How long a client may take to send its request. A client that has not sent all of its headers
 * by `headersTimeoutMs`, or the whole request (headers and body) by `requestTimeoutMs`, gets
 * Node's own 408 and its connection is closed: a slow or stuck client cannot hold a connection
 * (Node's defaults are 60 s and 300 s). The time a service takes to answer does not count, so a
 * long-poll held for `wait` ms, or an event stream, is never cut; nor does a kept-alive
 * connection's idle time between requests (that is Node's `keepAliveTimeout`, 5 s, which the
 * lab's own HTTP agents honour).
 */
export interface RequestTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How often Node looks for expired requests; a timeout is noticed up to this much late. */
  checkIntervalMs: number;
}

/**
 * A request from a lab client (at most a 16 KiB body) arrives in milliseconds even on a loaded
 * machine; these leave seconds to spare and still free a slow client's connection soon.
 */
export const REQUEST_TIMEOUTS: RequestTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1000,
};

export function listen(
  app: Koa,
  host: string,
  port: number,
  timeouts: RequestTimeouts = REQUEST_TIMEOUTS,
): Promise<RunningServer> {
  const handle = app.callback();
  return new Promise((resolve, reject) => {
    const server = createServer(
      {
        headersTimeout: timeouts.headersTimeoutMs,
        requestTimeout: timeouts.requestTimeoutMs,
        connectionsCheckingInterval: timeouts.checkIntervalMs,
      },
      // As Koa's own listen(): its handler answers every request and its promise never rejects.
      (req, res) => void handle(req, res),
    );
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
    server.listen(port, host);
  });
}
