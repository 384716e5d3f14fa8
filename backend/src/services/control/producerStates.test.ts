import { afterEach, expect, it } from "vitest";
import Koa from "koa";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { createProducerStates } from "./producerStates.ts";

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(body: unknown, delayMs = 0): Promise<string> {
  const app = new Koa();
  app.use(async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    ctx.body = body;
  });
  const server = await listen(app, "127.0.0.1", 0);
  servers.push(server);
  return server.url;
}

it("keeps each producer's rate and last number, and forgets one that does not answer", async () => {
  const state = { producer: "producer-0", ratePerSecond: 20, paused: false, lastAcknowledged: 41 };
  const urls = {
    "producer-0": await serve(state),
    "producer-1": await serve({ unexpected: true }),
    "producer-2": await serve(state, 3000),
    "producer-3": "http://127.0.0.1:1",
  };
  const states = createProducerStates(urls, 1500);
  await states.refresh();
  expect([...states.latest()]).toEqual([
    ["producer-0", { ratePerSecond: 20, paused: false, lastAcknowledged: 41 }],
  ]);
});
