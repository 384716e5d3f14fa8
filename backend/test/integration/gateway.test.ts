import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type RunningServer } from "../../src/lib/httpApp.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { BACKEND_HEADER } from "../../src/services/gateway/backendProxy.ts";
import { createGateway, type Gateway } from "../../src/services/gateway/gateway.ts";
import { createGatewayMetrics } from "../../src/services/gateway/gatewayMetrics.ts";

// No Kafka here: tiny HTTP servers stand in for consumers, so that each test decides readiness
// and failures exactly and counts what reached each one.
const logger = createLogger({ name: "gateway-test", level: "silent" });
/** Long enough that no timed probe runs during a test that drives probes itself. */
const NO_TIMED_PROBES_MS = 3_600_000;

interface StandIn {
  readonly name: string;
  readonly url: string;
  /** What `/readyz` answers: 200 when true, 503 when false. */
  ready: boolean;
  /** `/api/records` requests it answered. */
  requests: number;
  /**
   * Requests to reset instead of answering when they come as the second on a kept-alive
   * connection: what a client sees when the server closed that connection as the request went out.
   */
  resetReusedConnections: number;
  close(): Promise<void>;
  /** Listens again on the same port, as a restarted consumer would. */
  reopen(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startStandIn(name: string, ready = true): Promise<StandIn> {
  let server: Server | undefined;
  const requestsOn = new WeakMap<object, number>();
  const open = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const created = createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        res.setHeader("content-type", "application/json");
        if (path === "/readyz") {
          res.statusCode = standIn.ready ? 200 : 503;
          res.end(JSON.stringify({ ready: standIn.ready }));
        } else if (path === "/api/records") {
          const onConnection = (requestsOn.get(req.socket) ?? 0) + 1;
          requestsOn.set(req.socket, onConnection);
          if (onConnection > 1 && standIn.resetReusedConnections > 0) {
            standIn.resetReusedConnections--;
            req.socket.resetAndDestroy();
            return;
          }
          standIn.requests++;
          res.end(JSON.stringify({ consumer: name }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: `no such endpoint: ${path}` }));
        }
      });
      created.once("error", reject);
      created.listen(port, "127.0.0.1", () => {
        server = created;
        const address = created.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (server === undefined) return resolve();
      const closing = server;
      server = undefined;
      closing.close(() => resolve());
      closing.closeAllConnections();
    });
  const port = await open(0);
  const standIn: StandIn = {
    name,
    url: `http://127.0.0.1:${port}`,
    ready,
    requests: 0,
    resetReusedConnections: 0,
    close,
    reopen: async () => {
      await open(port);
    },
  };
  cleanups.push(close);
  return standIn;
}

interface RunningGateway {
  gateway: Gateway;
  url: string;
  get(path: string): Promise<{ status: number; backend: string | null; body: unknown }>;
  metricsText(): Promise<string>;
}

async function startGateway(
  consumers: readonly StandIn[],
  options: { pollMs?: number; retry?: boolean } = {},
): Promise<RunningGateway> {
  const gateway = createGateway({
    config: {
      CONSUMER_URLS: consumers.map((c) => c.url),
      READINESS_POLL_MS: options.pollMs ?? NO_TIMED_PROBES_MS,
      PROXY_TIMEOUT_MS: 5000,
      RETRY_ON_OTHER_BACKEND: options.retry ?? false,
    },
    metrics: createGatewayMetrics(),
    logger,
  });
  const server: RunningServer = await listen(gateway.app, "127.0.0.1", 0);
  cleanups.push(async () => {
    await server.close();
    await gateway.stop();
  });
  gateway.start();
  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return {
      status: response.status,
      backend: response.headers.get(BACKEND_HEADER),
      body: await response.json(),
    };
  };
  return {
    gateway,
    url: server.url,
    get,
    metricsText: async () => (await fetch(`${server.url}/gateway/metrics`)).text(),
  };
}

/** Waits until exactly the given stand-ins are in rotation. */
async function waitForRotation(gateway: Gateway, ready: readonly StandIn[]): Promise<void> {
  const expected = ready.map((c) => c.url).sort();
  await waitFor(
    () => {
      const inRotation = gateway.pool
        .snapshot()
        .filter((b) => b.ready)
        .map((b) => b.url)
        .sort();
      return JSON.stringify(inRotation) === JSON.stringify(expected);
    },
    { what: `backends in rotation: ${expected.join(", ")}`, timeoutMs: 10_000, intervalMs: 20 },
  );
}

async function answeredBy(gateway: RunningGateway, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await gateway.get("/api/records?cursor=");
    expect(answer.status).toBe(200);
    const { consumer } = answer.body as { consumer: string };
    names.push(consumer);
  }
  return names;
}

describe("gateway", () => {
  it("spreads requests round-robin over ready consumers and sends none to a not-ready one", async () => {
    const c0 = await startStandIn("c0");
    const c1 = await startStandIn("c1", false);
    const c2 = await startStandIn("c2");
    const gateway = await startGateway([c0, c1, c2], { pollMs: 50 });
    await waitForRotation(gateway.gateway, [c0, c2]);

    const first = await gateway.get("/api/records");
    expect(first).toEqual({ status: 200, backend: c0.url, body: { consumer: "c0" } });
    expect(await answeredBy(gateway, 5)).toEqual(["c2", "c0", "c2", "c0", "c2"]);
    expect([c0.requests, c1.requests, c2.requests]).toEqual([3, 0, 3]);

    // Readiness follows the probes both ways.
    c1.ready = true;
    c0.ready = false;
    await waitForRotation(gateway.gateway, [c1, c2]);
    const before = c0.requests;
    expect((await answeredBy(gateway, 4)).sort()).toEqual(["c1", "c1", "c2", "c2"]);
    expect(c0.requests).toBe(before);

    const backends = await (await fetch(`${gateway.url}/gateway/backends`)).json();
    expect(backends).toEqual([
      expect.objectContaining({
        url: c0.url,
        ready: false,
        reason: "probe 503",
        lastProbe: expect.objectContaining({ ready: false, detail: "503" }) as unknown,
        requests: 3,
      }),
      expect.objectContaining({ url: c1.url, ready: true, reason: "probe 200", requests: 2 }),
      expect.objectContaining({ url: c2.url, ready: true, requests: 5 }),
    ]);

    // The gateway's own endpoints are under /gateway/; every other path is a consumer's.
    expect((await fetch(`${gateway.url}/gateway/readyz`)).status).toBe(200);
    const proxiedReadyz = await gateway.get("/readyz");
    expect(proxiedReadyz.body).toEqual({ ready: true });
    expect([c1.url, c2.url]).toContain(proxiedReadyz.backend);
  });

  it("answers one 502 for a consumer that went away, drops it at once and takes it back when ready", async () => {
    const consumers = [
      await startStandIn("c0"),
      await startStandIn("c1"),
      await startStandIn("c2"),
    ];
    const [c0, c1, c2] = consumers as [StandIn, StandIn, StandIn];
    const gateway = await startGateway(consumers);
    await waitForRotation(gateway.gateway, consumers);
    // A first round leaves a pooled connection to each consumer, as steady traffic would.
    expect(await answeredBy(gateway, 3)).toEqual(["c0", "c1", "c2"]);

    await c1.close();
    expect(await answeredBy(gateway, 1)).toEqual(["c0"]);
    const failed = await gateway.get("/api/records");
    expect(failed.status).toBe(502);
    expect(failed.backend).toBe(c1.url);
    expect((failed.body as { error: string }).error).toMatch(
      new RegExp(`^backend consumer at ${c1.url} failed: ECONN(REFUSED|RESET)$`),
    );
    // No probe has run since (timed probes are off here): the refusal alone took it out.
    expect(await answeredBy(gateway, 4)).toEqual(["c2", "c0", "c2", "c0"]);
    expect(gateway.gateway.pool.snapshot()[1]).toMatchObject({ ready: false });

    await c1.reopen();
    await gateway.gateway.pool.probeAll();
    expect((await answeredBy(gateway, 3)).sort()).toEqual(["c0", "c1", "c2"]);
    expect([c0.requests, c1.requests, c2.requests]).toEqual([5, 2, 4]);

    const metrics = await gateway.metricsText();
    expect(metrics).toContain(
      `blackout_gateway_requests_total{backend="${c1.url}",status="502"} 1`,
    );
    expect(metrics).toContain(
      `blackout_gateway_requests_total{backend="${c1.url}",status="200"} 2`,
    );
    expect(metrics).toContain(
      `blackout_gateway_requests_total{backend="${c0.url}",status="200"} 5`,
    );
    expect(metrics).toContain(
      `blackout_gateway_backend_transitions_total{backend="${c1.url}",to="up"} 2`,
    );
    expect(metrics).toContain(
      `blackout_gateway_backend_transitions_total{backend="${c1.url}",to="down"} 1`,
    );
    expect(metrics).toContain("blackout_gateway_backends_ready 3");
    expect(metrics).not.toContain("blackout_gateway_retries_total{");
  });

  it("sends a GET again on a new connection when a kept-alive one was reset under it, keeping the consumer in rotation", async () => {
    const c0 = await startStandIn("c0");
    const gateway = await startGateway([c0]);
    await waitForRotation(gateway.gateway, [c0]);
    expect(await answeredBy(gateway, 1)).toEqual(["c0"]);

    // The next request goes out on the pooled connection, which c0 resets: the race of a
    // consumer closing an idle connection just as the gateway reuses it.
    c0.resetReusedConnections = 1;
    expect(await answeredBy(gateway, 2)).toEqual(["c0", "c0"]);
    expect(c0.resetReusedConnections).toBe(0);
    expect(c0.requests).toBe(3);
    expect(gateway.gateway.pool.snapshot()[0]).toMatchObject({ ready: true });

    const metrics = await gateway.metricsText();
    expect(metrics).toContain(`blackout_gateway_stale_connections_total{backend="${c0.url}"} 1`);
    expect(metrics).toContain(
      `blackout_gateway_requests_total{backend="${c0.url}",status="200"} 3`,
    );
    expect(metrics).not.toContain('status="502"');
    expect(metrics).not.toContain('to="down"');
  });

  it("with RETRY_ON_OTHER_BACKEND answers a refused GET from another consumer and counts the retry", async () => {
    const consumers = [
      await startStandIn("c0"),
      await startStandIn("c1"),
      await startStandIn("c2"),
    ];
    const [c0, c1, c2] = consumers as [StandIn, StandIn, StandIn];
    const gateway = await startGateway(consumers, { retry: true });
    await waitForRotation(gateway.gateway, consumers);
    expect(await answeredBy(gateway, 3)).toEqual(["c0", "c1", "c2"]);

    await c1.close();
    expect(await answeredBy(gateway, 1)).toEqual(["c0"]);
    const retried = await gateway.get("/api/records");
    expect(retried).toEqual({ status: 200, backend: c2.url, body: { consumer: "c2" } });
    expect(await answeredBy(gateway, 2)).toEqual(["c0", "c2"]);
    expect([c0.requests, c1.requests, c2.requests]).toEqual([3, 1, 3]);

    const metrics = await gateway.metricsText();
    expect(metrics).toContain(`blackout_gateway_retries_total{from="${c1.url}",to="${c2.url}"} 1`);
    expect(metrics).toContain(
      `blackout_gateway_requests_total{backend="${c1.url}",status="retried"} 1`,
    );
    expect(metrics).not.toContain('status="502"');
  });

  it("answers 503 when no consumer is ready, and is not ready itself", async () => {
    const consumers = [await startStandIn("c0", false), await startStandIn("c1", false)];
    const gateway = await startGateway(consumers);
    await waitFor(() => gateway.gateway.pool.snapshot().every((b) => b.lastProbe !== null), {
      what: "a first probe of every consumer",
      timeoutMs: 10_000,
      intervalMs: 20,
    });

    expect(await gateway.get("/api/records")).toEqual({
      status: 503,
      backend: null,
      body: { error: "no ready consumer" },
    });
    expect((await fetch(`${gateway.url}/gateway/readyz`)).status).toBe(503);
    expect((await fetch(`${gateway.url}/gateway/healthz`)).status).toBe(200);
    expect(consumers.map((c) => c.requests)).toEqual([0, 0]);
    const metrics = await gateway.metricsText();
    expect(metrics).toContain("blackout_gateway_no_backend_total 1");
    expect(metrics).toContain("blackout_gateway_backends_ready 0");
  });
});
