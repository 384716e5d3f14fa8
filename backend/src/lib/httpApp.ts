import type { Server } from "node:http";
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
 * `{ "error": "internal error" }` and is logged once with its stack. JSON bodies are parsed with a
 * size limit. `headers` are set before anything else runs, so even a refused body carries them.
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
        const tooLarge = httpStatusOf(error) === 413;
        ctx.throw(
          tooLarge ? 413 : 400,
          tooLarge ? "request body too large" : "body is not valid JSON",
        );
      },
    }),
  );
  // Koa's own default would print every error to stderr a second time.
  app.silent = true;
  return app;
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
