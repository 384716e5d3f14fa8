import Router from "@koa/router";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConflictError, NotFoundError } from "./errors.ts";
import { createHttpApp, listen, type RunningServer } from "./httpApp.ts";
import { createLogger } from "./logger.ts";
import { parseBody } from "./parseBody.ts";

const body = z.object({
  name: z.string({ error: "name must be a string" }),
  limits: z.object({ perSecond: z.number().min(1, "too low") }),
});

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function call(path: string, json?: string): Promise<{ status: number; body: unknown }> {
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
  server = await listen(app, "127.0.0.1", 0);
  const response = await fetch(`${server.url}${path}`, {
    ...(json === undefined ? {} : { method: "POST", body: json }),
    headers: { "content-type": "application/json" },
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
