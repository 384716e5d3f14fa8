// The module object, not named imports: the http instrumentation patches `http.request` on it.
// A named ESM binding keeps the unpatched function once a CommonJS module (koa) has loaded `http`
// first, and then the fleet's polls would carry no trace context to the gateway.
import http from "node:http";
import type { FetchAnswer, FetchLike } from "../../ledger/recordsPoller.ts";

export interface HttpFetch {
  readonly fetch: FetchLike;
  /** Closes the pooled connections. */
  close(): void;
}

/**
 * The fleet's GET over node:http with one keep-alive pool, instead of the global fetch: profiled
 * at 400 clients, undici's fetch (WHATWG request, response and body streams per poll) was most of
 * the fleet's own CPU. Errors look like fetch's to the poller: a network failure rejects with the
 * socket error as `cause` (so `ECONNREFUSED` still tells a refused connection), an aborted signal
 * rejects, and an answer cut short rejects `text()`.
 */
export interface HttpFetchOptions {
  /** A GET sent again because the kept-alive connection it went out on had been closed. */
  onStaleConnection?: () => void;
}

export function createHttpFetch(options: HttpFetchOptions = {}): HttpFetch {
  // Like undici's pool: connections are shared by the clients and kept while they are polled.
  // Idle ones beyond Node's default of 256 would be closed and reopened on the next burst.
  // The `timeout` is what makes Node honour the server's `Keep-Alive: timeout=5` hint (an idle
  // connection is closed a second before the server would close it): without one, Node 24 keeps
  // idle connections forever and the server's close races the next poll on them. In flight, it
  // only emits a 'timeout' event nothing here listens to; the poller's signal bounds a poll.
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 4096, timeout: 60_000 });

  function get(url: string, signal: AbortSignal, again: boolean): Promise<FetchAnswer> {
    return new Promise<FetchAnswer>((resolve, reject) => {
      const req = http.request(url, { agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        const body = new Promise<string>((done, fail) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.once("end", () => done(text));
          res.once("error", (error) => fail(new Error("fetch failed", { cause: error })));
          res.once("close", () => {
            if (!res.complete) fail(new Error("fetch failed: the answer was cut short"));
          });
        });
        // The poller reads every body; this only keeps an unread failure from going unhandled.
        body.catch(() => undefined);
        resolve({ ok: status >= 200 && status < 300, status, text: () => body });
      });
      req.once("error", (error: NodeJS.ErrnoException) => {
        // The server closed a kept-alive connection just as this GET went out on it (its close
        // not yet read here): a browser sends the GET again on a new connection, and so does the
        // fleet, once. A server that is really gone refuses the new connection.
        if (!again && req.reusedSocket && error.code === "ECONNRESET" && !signal.aborted) {
          options.onStaleConnection?.();
          resolve(get(url, signal, true));
          return;
        }
        reject(new Error("fetch failed", { cause: error }));
      });
      req.end();
    });
  }

  return { fetch: (url, { signal }) => get(url, signal, false), close: () => agent.destroy() };
}
