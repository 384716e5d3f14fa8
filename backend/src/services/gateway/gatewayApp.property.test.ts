import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen, type RunningServer } from "../../lib/httpApp.ts";
import * as props from "../../lib/httpProperties.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import { BACKEND_HEADER } from "./backendProxy.ts";
import { createGateway, type Gateway } from "./gateway.ts";
import { GATEWAY_PREFIX } from "./gatewayApp.ts";
import { createGatewayMetrics } from "./gatewayMetrics.ts";

/** The gateway's own routes, and a consumer's it passes on. */
const ROUTES = [
  ...props.OPERATIONAL_ROUTES.map((route) => GATEWAY_PREFIX + route),
  `${GATEWAY_PREFIX}/backends`,
  GATEWAY_PREFIX,
  // A consumer's, though it starts like the gateway's own.
  `${GATEWAY_PREFIX}s/api/records`,
  ...props.OPERATIONAL_ROUTES,
  "/api/records",
];

let consumer: RunningServer;
let server: RunningServer;
let gateway: Gateway;
/** Requests the stand-in consumer answered. */
let echoed = 0;

beforeAll(async () => {
  const logger = createLogger({ name: "test", level: "silent" });
  // A consumer's stand-in, built on the same HTTP app: it answers any request with what it got,
  // or with the 4xx every service answers bad input with.
  const standIn = createHttpApp({ logger });
  standIn.use((ctx) => {
    echoed += 1;
    ctx.body = { method: ctx.method, url: ctx.url, length: ctx.get("content-length") };
  });
  consumer = await listen(standIn, "127.0.0.1", 0);
  gateway = createGateway({
    config: {
      CONSUMER_URLS: [consumer.url],
      READINESS_POLL_MS: 60_000,
      PROXY_TIMEOUT_MS: 5000,
      RETRY_ON_OTHER_BACKEND: false,
    },
    metrics: createGatewayMetrics(),
    logger,
    probe: () => Promise.resolve({ ready: true, detail: "200" }),
  });
  // One probe puts the consumer in rotation; no timer probes it again during the test.
  await gateway.pool.probeAll();
  server = await listen(gateway.app, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await gateway?.stop();
  await consumer?.close();
});

/** Whether each consumer is in rotation and why (the request counts change with every request). */
const poolState = () =>
  gateway.pool.snapshot().map(({ url, ready, reason }) => ({ url, ready, reason }));

/** The path and query as the gateway routes them (an absolute-form target loses its origin). */
function originForm(target: string): string {
  return target.replace(/^http:\/\/[^/]*/, "");
}

/**
 * The path and query the consumer gets: the proxy (http-proxy-3) reads the target as a WHATWG
 * URL, which resolves dot segments (`%2e%2e` too) and drops an absolute-form target's origin,
 * so that it can only ever reach the backend it picked.
 */
function proxiedTarget(target: string): string {
  const url = new URL(
    target.startsWith("//") ? `http://base.invalid${target}` : target,
    "http://base.invalid",
  );
  return url.pathname + url.search;
}

describe("the gateway, under random requests", () => {
  it("answers any request below 500 with a consumer in rotation, passes it on unchanged, and keeps the consumer in rotation", async () => {
    const requests = props.anyRequest(
      fc.tuple(props.pathsOf(ROUTES), props.queryOf()).map(([path, query]) => path + query),
    );
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const before = echoed;
        const { answer, body } = await props.checkRequest(server.url, request, poolState);
        const target = originForm(request.path);
        const path = target.split("?")[0] ?? "";
        if (path === GATEWAY_PREFIX || path.startsWith(`${GATEWAY_PREFIX}/`)) {
          expect(answer.headers[BACKEND_HEADER]).toBeUndefined();
          expect(echoed).toBe(before);
        } else {
          // Anything else is passed on as it came, and the consumer's answer passed back.
          expect(answer.headers[BACKEND_HEADER]).toBe(consumer.url);
          if (answer.status === 200 && request.method !== "HEAD") {
            const { method, url, length } = body as { method: string; url: string; length: string };
            // A request without a body may come with no length or with "content-length: 0".
            expect({ method, url, length: Number(length) }).toEqual({
              method: request.method,
              url: proxiedTarget(request.path),
              length: Buffer.byteLength(request.body ?? ""),
            });
          }
        }
        expect(gateway.pool.readyCount()).toBe(1);
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("answers a body over 16 KiB with a 413, on its own endpoints and through to a consumer", async () => {
    await props.expectBodyTooLarge(server.url, "POST", `${GATEWAY_PREFIX}/backends`, poolState);
    await props.expectBodyTooLarge(server.url, "POST", "/api/records", poolState);
  });
});
