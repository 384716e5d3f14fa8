import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createProxyServer } from "http-proxy-3";
import type { Logger } from "../../lib/logger.ts";
import type { BackendPool } from "./backendPool.ts";
import type { GatewayMetrics } from "./gatewayMetrics.ts";

/** Names the consumer that answered (or failed), for clients, the lab and tests. */
export const BACKEND_HEADER = "x-blackout-backend";

/** Socket errors that mean the process behind the backend is gone, not merely slow. */
const CONNECTION_LOST = new Set(["ECONNREFUSED", "ECONNRESET"]);

export interface BackendProxyOptions {
  pool: BackendPool;
  metrics: GatewayMetrics;
  logger: Logger;
  /** A backend that sends no answer within this is a 504. */
  timeoutMs: number;
  /** Try a GET whose connection was refused or reset once more on another ready backend. */
  retryOnOtherBackend: boolean;
}

export interface BackendProxy {
  /** Proxies one request; resolves when its response is closed. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Closes the pooled connections to the backends. */
  close(): void;
}

interface Attempt {
  readonly backend: string;
  timedOut: boolean;
  /** Whether the request went out on a kept-alive connection that had served an earlier one. */
  reusedConnection: boolean;
}

/**
 * The data path, through http-proxy-3. By default it behaves as kube-proxy does: one backend per
 * request and no hidden retries, so a client sees a consumer's death as one failed request (502).
 * The one exception is a pooled connection the consumer had just closed (reset as it was reused):
 * that GET goes again to the same consumer on a new connection, as any HTTP client does.
 * With `retryOnOtherBackend` a failure before any response byte is hidden by a second try, so the
 * lab can show what such a retry changes for clients.
 */
export function createBackendProxy(options: BackendProxyOptions): BackendProxy {
  const { pool, metrics, logger } = options;
  // Keep-alive: a fleet of 1 000 clients polling twice a second must not open a connection per
  // poll. A consumer that dies closes its pooled sockets, so a later request still sees a refusal.
  // The `timeout` is what makes Node honour a consumer's `Keep-Alive: timeout=5` hint (an idle
  // connection is closed a second before the consumer would close it); without one, Node 24 keeps
  // idle connections forever. In flight, http-proxy-3's proxyTimeout replaces it.
  const agent = new Agent({ keepAlive: true, timeout: 60_000 });
  const proxy = createProxyServer({ agent, proxyTimeout: options.timeoutMs, xfwd: true });
  const attempts = new WeakMap<IncomingMessage, Attempt>();

  // http-proxy-3 destroys a timed-out request, which then fails like a reset; this tells the two
  // apart, because a slow backend is the probe's to judge, not a reason to drop it.
  proxy.on("proxyReq", (proxyReq, req) => {
    const attempt = attempts.get(req);
    if (attempt !== undefined) attempt.reusedConnection = proxyReq.reusedSocket;
    proxyReq.once("timeout", () => {
      if (attempt !== undefined) attempt.timedOut = true;
    });
  });
  // Only reached when a request is proxied without a callback, which this module never does;
  // an EventEmitter "error" without a listener would kill the process.
  proxy.on("error", (error) => logger.error({ err: error }, "proxy error outside a request"));

  function sendJson(res: ServerResponse, status: number, body: object): void {
    res.statusCode = status;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.end(JSON.stringify(body));
  }

  function attempt(
    req: IncomingMessage,
    res: ServerResponse,
    backend: string,
    retry: boolean,
  ): void {
    const state: Attempt = { backend, timedOut: false, reusedConnection: false };
    attempts.set(req, state);
    res.setHeader(BACKEND_HEADER, backend);
    res.once("close", () => {
      if (attempts.get(req) !== state) return;
      metrics.requests.inc({
        backend,
        status: res.headersSent ? String(res.statusCode) : "aborted",
      });
    });
    proxy.web(
      req,
      res,
      // A retried GET's body was read by the first try; it has none to send again.
      { target: backend, ...(retry ? { buffer: Readable.from([]) } : {}) },
      (error: Error & { code?: string }) => {
        const code = state.timedOut ? "timeout" : (error.code ?? error.message);
        // The consumer closed an idle kept-alive connection just as this request went out on it
        // (its close not yet read here): not a sign that it died. Sent again on a new connection
        // to the same consumer, once; one that is really gone refuses that connection.
        if (
          code === "ECONNRESET" &&
          state.reusedConnection &&
          !retry &&
          !res.headersSent &&
          retryable(req)
        ) {
          metrics.staleConnections.inc({ backend });
          attempt(req, res, backend, true);
          return;
        }
        const connectionLost = !state.timedOut && CONNECTION_LOST.has(code);
        if (connectionLost) pool.markDown(backend, `proxy ${code}`);
        if (res.headersSent) {
          // Part of the answer is out: all that is left is to cut it, as the backend did.
          logger.warn({ backend, code, url: req.url }, "backend failed mid-answer");
          res.destroy();
          return;
        }
        const next = !retry && connectionLost && retryable(req) ? otherBackend() : undefined;
        if (next !== undefined) {
          metrics.requests.inc({ backend, status: "retried" });
          metrics.retries.inc({ from: backend, to: next });
          logger.info({ backend, next, code, url: req.url }, "retrying on another backend");
          attempt(req, res, next, true);
          return;
        }
        logger.warn({ backend, code, url: req.url }, "backend failed");
        if (state.timedOut) {
          sendJson(res, 504, {
            error: `backend consumer at ${backend} did not answer within ${options.timeoutMs} ms`,
          });
        } else {
          sendJson(res, 502, { error: `backend consumer at ${backend} failed: ${code}` });
        }
      },
    );
  }

  function otherBackend(): string | undefined {
    return options.retryOnOtherBackend ? pool.next() : undefined;
  }

  return {
    handle(req, res) {
      const closed = new Promise<void>((resolve) => res.once("close", resolve));
      const backend = pool.next();
      if (backend === undefined) {
        metrics.noBackend.inc();
        sendJson(res, 503, { error: "no ready consumer" });
      } else {
        attempt(req, res, backend, false);
      }
      return closed;
    },
    close() {
      agent.destroy();
    },
  };
}

/** Only a bodiless GET or HEAD is safe to send twice, and only those can be sent again at all. */
function retryable(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] === undefined && (length === undefined || length === "0");
}
