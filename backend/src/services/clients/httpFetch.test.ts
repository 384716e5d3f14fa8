import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../../lib/freePorts.ts";
import { createHttpFetch } from "./httpFetch.ts";

let server: Server;
let base: string;
const http = createHttpFetch();

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/ok") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ text: "zwölf €" }));
    } else if (request.url === "/missing") {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"error":"no such endpoint"}');
    } else if (request.url === "/cut") {
      response.writeHead(200, { "content-length": "100" });
      response.write("{");
      setTimeout(() => response.destroy(), 20);
    }
    // "/hang" never answers.
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.close();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const signal = () => new AbortController().signal;

describe("createHttpFetch", () => {
  it("answers status, ok and the body as UTF-8 text, over reused connections", async () => {
    for (let i = 0; i < 3; i += 1) {
      const answer = await http.fetch(`${base}/ok`, { signal: signal() });
      expect(answer).toMatchObject({ ok: true, status: 200 });
      expect(JSON.parse(await answer.text())).toEqual({ text: "zwölf €" });
    }
    const missing = await http.fetch(`${base}/missing`, { signal: signal() });
    expect(missing).toMatchObject({ ok: false, status: 404 });
    expect(await missing.text()).toBe('{"error":"no such endpoint"}');
  });

  it("rejects a refused connection as fetch does: the socket error's code in the cause", async () => {
    const [port] = await freePorts(1);
    const failure = await http
      .fetch(`http://127.0.0.1:${port}/`, { signal: signal() })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("rejects when the signal aborts a request that gets no answer", async () => {
    const controller = new AbortController();
    const pending = http.fetch(`${base}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow();
    expect(controller.signal.aborted).toBe(true);
  });

  it("sends a GET again, once, when the server had closed the kept-alive connection it reused", async () => {
    let stale = 0;
    const own = createHttpFetch({ onStaleConnection: () => (stale += 1) });
    try {
      await (await own.fetch(`${base}/ok`, { signal: signal() })).text();
      // Closes the idle connection on the server's side; this process reads the close only on a
      // later turn of its event loop, so the next GET goes out on the closed connection.
      server.closeIdleConnections();
      const answer = await own.fetch(`${base}/ok`, { signal: signal() });
      expect(answer.status).toBe(200);
      expect(JSON.parse(await answer.text())).toEqual({ text: "zwölf €" });
      expect(stale).toBe(1);
    } finally {
      own.close();
    }
  });

  it("closes an idle kept-alive connection a second before the server's Keep-Alive hint", async () => {
    // The server would close an idle connection after 2 s, and says so (`Keep-Alive: timeout=2`).
    const short = createServer((_request, response) => response.end("{}"));
    short.keepAliveTimeout = 2000;
    await new Promise<void>((done) => short.listen(0, "127.0.0.1", done));
    const own = createHttpFetch();
    const open = () =>
      new Promise<number>((done, fail) =>
        short.getConnections((error, count) => (error ? fail(error) : done(count))),
      );
    try {
      const url = `http://127.0.0.1:${(short.address() as AddressInfo).port}/`;
      await (await own.fetch(url, { signal: signal() })).text();
      expect(await open()).toBe(1);
      await new Promise((done) => setTimeout(done, 1500));
      expect(await open()).toBe(0);
    } finally {
      own.close();
      short.closeAllConnections();
      await new Promise((done) => short.close(done));
    }
  });

  it("rejects text() when the answer is cut short", async () => {
    const answer = await http.fetch(`${base}/cut`, { signal: signal() });
    expect(answer.status).toBe(200);
    await expect(answer.text()).rejects.toThrow(/fetch failed/);
  });
});
