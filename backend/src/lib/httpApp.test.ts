import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import Router from "@koa/router";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConflictError, NotFoundError } from "./errors.ts";
import { createHttpApp, listen, type RunningServer } from "./httpApp.ts";
import { createLogger } from "./logger.ts";
import { parseBody } from "./parseBody.ts";
import { waitFor } from "./waitFor.ts";

const body = z.object({
  name: z.string({ error: "name must be a string" }),
  limits: z.object({ perSecond: z.number().min(1, "too low") }),
});

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The app under test, one server a test: its calls share the server's connections. */
async function serve(): Promise<RunningServer> {
  const app = createHttpApp({ logger: createLogger({ name: "test", level: "silent" }) });
  const router = new Router();
  router.get("/conflict", () => {
    throw new ConflictError("run-1 is still going");
  });
  router.get("/gone", () => {
    throw new NotFoundError("no target x", { details: { targets: ["a", "b"] } });
  });
  router.get("/bug", () => {
    throw new Error("secret internals");
  });
  router.get("/koa", (ctx) => ctx.throw(418, "short and stout"));
  router.post("/body", (ctx) => {
    ctx.body = parseBody(ctx, body);
  });
  app.use(router.routes());
  return listen(app, "127.0.0.1", 0);
}

async function call(
  path: string,
  json?: RequestInit["body"],
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  server ??= await serve();
  const response = await fetch(`${server.url}${path}`, {
    ...(json === undefined ? {} : { method: "POST", body: json }),
    headers: { "content-type": "application/json" },
    ...init,
  });
  return { status: response.status, body: await response.json() };
}

describe("the error middleware", () => {
  it("answers a BlackoutError with its status and message", async () => {
    expect(await call("/conflict")).toEqual({
      status: 409,
      body: { error: "run-1 is still going" },
    });
  });

  it("adds a 4xx error's details beside its message", async () => {
    expect(await call("/gone")).toEqual({
      status: 404,
      body: { error: "no target x", targets: ["a", "b"] },
    });
  });

  it("hides an unexpected error behind a 500", async () => {
    expect(await call("/bug")).toEqual({ status: 500, body: { error: "internal error" } });
  });

  it("still answers Koa's own HttpErrors and unknown endpoints", async () => {
    expect(await call("/koa")).toEqual({ status: 418, body: { error: "short and stout" } });
    expect(await call("/nowhere")).toEqual({
      status: 404,
      body: { error: "no such endpoint: GET /nowhere" },
    });
  });
});

describe("createHttpApp's headers", () => {
  it("are on every answer: a route's, an error's, a refused body's, an unknown endpoint's", async () => {
    const app = createHttpApp({
      logger: createLogger({ name: "test", level: "silent" }),
      headers: { "X-Frame-Options": "DENY" },
    });
    const router = new Router();
    router.get("/ok", (ctx) => {
      ctx.body = { ok: true };
    });
    router.get("/bug", () => {
      throw new Error("secret internals");
    });
    router.post("/body", (ctx) => {
      ctx.body = parseBody(ctx, body);
    });
    app.use(router.routes());
    server = await listen(app, "127.0.0.1", 0);
    const answers = await Promise.all([
      fetch(`${server.url}/ok`),
      fetch(`${server.url}/bug`),
      fetch(`${server.url}/body`, {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json" },
      }),
      fetch(`${server.url}/nowhere`),
    ]);
    expect(answers.map((a) => [a.status, a.headers.get("x-frame-options")])).toEqual([
      [200, "DENY"],
      [500, "DENY"],
      [400, "DENY"],
      [404, "DENY"],
    ]);
  });
});

describe("parseBody", () => {
  it("answers the parsed body", async () => {
    const valid = '{"name":"a","limits":{"perSecond":5}}';
    expect(await call("/body", valid)).toEqual({ status: 200, body: JSON.parse(valid) as unknown });
  });

  it("names the field path of each issue in the 400, once", async () => {
    expect(await call("/body", '{"name":1,"limits":{"perSecond":0}}')).toEqual({
      status: 400,
      body: { error: "name must be a string; limits.perSecond: too low" },
    });
  });
});

describe("request bodies", () => {
  it("names why it refuses a body: not JSON, JSON it does not take, an unreadable encoding", async () => {
    const refusals: [string, Record<string, string>, number, string][] = [
      ["{", {}, 400, "body is not valid JSON"],
      ['{"name":"a","__proto__":{"x":1}}', {}, 400, 'body must not have a "__proto__" key'],
      ['{"a":[{"__proto__":1}]}', {}, 400, 'body must not have a "__proto__" key'],
      ["5", {}, 400, "body must be a JSON object or array"],
      ["{}", { "content-encoding": "gzip" }, 400, "body does not match its Content-Encoding"],
      ["{}", { "content-encoding": "x-unknown" }, 415, "Unsupported Content-Encoding: x-unknown"],
    ];
    for (const [json, headers, status, error] of refusals) {
      expect(
        await call("/body", json, { headers: { "content-type": "application/json", ...headers } }),
      ).toEqual({ status, body: { error } });
    }
  });

  it("refuses a body that is not JSON with a 415 naming its type, and takes the JSON types", async () => {
    const post = (body: string | undefined, type: string | undefined) =>
      call("/body", body, { headers: type === undefined ? {} : { "content-type": type } });
    expect(
      await post('{"name":"a","limits":{"perSecond":5}}', "application/x-www-form-urlencoded"),
    ).toEqual({
      status: 415,
      body: {
        error:
          "body must be sent as Content-Type application/json, not application/x-www-form-urlencoded",
      },
    });
    expect(await post("name=a", "text/plain")).toMatchObject({ status: 415 });
    expect(
      await post('{"name":"a","limits":{"perSecond":5}}', "application/json-patch+json"),
    ).toMatchObject({
      status: 200,
    });
    expect(
      await post('{"name":"a","limits":{"perSecond":5}}', "application/json; charset=utf-8"),
    ).toMatchObject({
      status: 200,
    });
  });

  it("refuses JSON nested more than 64 levels deep, and takes 64", async () => {
    const nested = (levels: number) =>
      `{"name":"a","limits":{"perSecond":5},"x":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;
    expect(await call("/body", nested(64))).toMatchObject({ status: 200 });
    expect(await call("/body", nested(65))).toEqual({
      status: 400,
      body: { error: "body is nested deeper than 64 levels" },
    });
  });

  it("answers a body the parser stops reading, instead of leaving its connection stuck", async () => {
    // A connection the parser stopped reading stalled or was reset under a later request on it
    // (about one time in three): ten tries each, on one server.
    const chunk = new TextEncoder().encode("x".repeat(16_384));
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(
        await call("/body", "x".repeat(1 << 20), {
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
        }),
      ).toEqual({ status: 400, body: { error: "body does not match its Content-Encoding" } });
      // Streamed without a length: the 16 kB limit is crossed while reading.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 64; i += 1) controller.enqueue(chunk);
          controller.close();
        },
      });
      expect(await call("/body", stream, { duplex: "half" })).toEqual({
        status: 413,
        body: { error: "request body too large" },
      });
    }
  });
});

describe("listen's request timeouts", () => {
  // Small enough for a test; the services run with REQUEST_TIMEOUTS.
  const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 };
  let handled: string[];

  async function start(): Promise<RunningServer> {
    handled = [];
    const app = createHttpApp({ logger: createLogger({ name: "test", level: "silent" }) });
    const router = new Router();
    router.get("/hold", async (ctx) => {
      handled.push(ctx.path);
      // Held longer than the whole request may take to arrive, as a long-poll is.
      await sleep(timeouts.requestTimeoutMs * 2);
      ctx.body = { held: true };
    });
    router.get("/quick", (ctx) => {
      handled.push(ctx.path);
      ctx.body = { quick: true };
    });
    router.post("/body", (ctx) => {
      handled.push(ctx.path);
      ctx.body = { got: ctx.request.body };
    });
    app.use(router.routes());
    server = await listen(app, "127.0.0.1", 0, timeouts);
    return server;
  }

  /**
   * Sends `head` on a raw socket, then one byte of `drip` every 50 ms, never finishing, and
   * resolves with everything the server sent once it closes the connection (fails after 3 s).
   */
  async function dribble(url: string, head: string, drip: string): Promise<string> {
    const { port } = new URL(url);
    const socket = connect(Number(port), "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.write(head);
    const dripping = setInterval(() => {
      if (socket.writable) socket.write(drip);
    }, 50);
    try {
      await once(socket, "close", { signal: AbortSignal.timeout(3000) });
    } finally {
      clearInterval(dripping);
      socket.destroy();
    }
    return received;
  }

  it("answers 408 and closes the connection of a client that dribbles its headers", async () => {
    const { url } = await start();
    const received = await dribble(url, "GET /quick HTTP/1.1\r\nHost: test\r\nX-Slow: ", "a");
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(handled).toEqual([]);
  });

  it("answers 408 and closes the connection of a client that dribbles its body", async () => {
    const { url } = await start();
    const head =
      "POST /body HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
      "Content-Length: 1000\r\n\r\n";
    const received = await dribble(url, head, " ");
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it("never cuts an answer that takes longer than the request timeout, as a long-poll", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/hold`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { held: true },
    });
  });

  it("never cuts an upgraded connection (control's socket.io WebSockets)", async () => {
    const { url, server: running } = await start();
    const upgraded: Socket[] = [];
    running.on("upgrade", (_request, socket: Socket) => {
      upgraded.push(socket);
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n",
      );
      socket.on("data", (data) => socket.write(data));
    });
    const client = connect(Number(new URL(url).port), "127.0.0.1");
    let received = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (received += chunk));
    try {
      client.write(
        "GET /socket HTTP/1.1\r\nHost: test\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n",
      );
      await sleep(timeouts.requestTimeoutMs * 2);
      client.write("still there");
      await waitFor(() => received.endsWith("still there") || undefined, {
        what: "the echo over the upgraded connection",
        timeoutMs: 3000,
        intervalMs: 10,
      });
      expect(received).toMatch(/^HTTP\/1\.1 101 /);
    } finally {
      client.destroy();
      for (const socket of upgraded) socket.destroy();
    }
  });

  it("keeps an idle kept-alive connection open past the timeouts for its next request", async () => {
    const { url } = await start();
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    socket.setEncoding("utf8");
    const answers: string[] = [];
    socket.on("data", (chunk: string) => answers.push(chunk));
    const request = "GET /quick HTTP/1.1\r\nHost: test\r\n\r\n";
    try {
      socket.write(request);
      await waitFor(() => answers.length === 1 || undefined, {
        what: "the first answer",
        timeoutMs: 5000,
        intervalMs: 10,
      });
      await sleep(timeouts.requestTimeoutMs * 2);
      socket.write(request);
      await waitFor(() => answers.length === 2 || undefined, {
        what: "the second answer",
        timeoutMs: 5000,
        intervalMs: 10,
      });
      expect(answers.map((answer) => answer.split("\r\n")[0])).toEqual([
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
      ]);
    } finally {
      socket.destroy();
    }
  });
});
