import { afterEach, expect, it } from "vitest";
import Koa from "koa";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import { waitFor } from "../../lib/waitFor.ts";
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
  const states = createProducerStates(urls, { timeoutMs: 1500 });
  await states.refresh();
  expect([...states.latest()]).toEqual([
    ["producer-0", { ratePerSecond: 20, paused: false, lastAcknowledged: 41 }],
  ]);
});

it("keeps refreshing on its own loop until stopped", async () => {
  let rate = 20;
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { ratePerSecond: rate, paused: false, lastAcknowledged: 1 };
  });
  const server = await listen(app, "127.0.0.1", 0);
  servers.push(server);
  const states = createProducerStates({ "producer-0": server.url }, { intervalMs: 20 });
  states.start();
  await waitFor(() => states.latest().get("producer-0")?.ratePerSecond === 20, {
    what: "the first refresh",
    timeoutMs: 5000,
    intervalMs: 10,
  });
  rate = 50;
  await waitFor(() => states.latest().get("producer-0")?.ratePerSecond === 50, {
    what: "a later refresh",
    timeoutMs: 5000,
    intervalMs: 10,
  });
  await states.stop();
  rate = 70;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(states.latest().get("producer-0")?.ratePerSecond).toBe(50);
});
