import type Koa from "koa";
import type { Logger } from "../../lib/logger.ts";
import { createBackendPool, type BackendPool, type ReadinessProbe } from "./backendPool.ts";
import { createBackendProxy } from "./backendProxy.ts";
import { createGatewayApp } from "./gatewayApp.ts";
import type { GatewayConfig } from "./gatewayConfig.ts";
import type { GatewayMetrics } from "./gatewayMetrics.ts";
import { createHttpReadinessProbe } from "./readinessProbe.ts";

// As a kubelet's probe timeout: a consumer that cannot answer /readyz in a second is not ready.
const PROBE_TIMEOUT_MS = 1000;

export interface GatewayOptions {
  config: Pick<
    GatewayConfig,
    "CONSUMER_URLS" | "READINESS_POLL_MS" | "PROXY_TIMEOUT_MS" | "RETRY_ON_OTHER_BACKEND"
  >;
  metrics: GatewayMetrics;
  logger: Logger;
  /** `GET <url>/readyz` with a 1 s timeout unless given. */
  probe?: ReadinessProbe;
}

export interface Gateway {
  app: Koa;
  pool: BackendPool;
  /** Starts probing the consumers; none is in rotation before its first ready probe. */
  start(): void;
  /** Stops probing and closes the connections to the consumers (close the server first). */
  stop(): Promise<void>;
}

/** The gateway's parts wired together: backend pool, proxy and HTTP app, with metrics and logs. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, metrics, logger } = options;
  const pool: BackendPool = createBackendPool({
    urls: config.CONSUMER_URLS,
    probe: options.probe ?? createHttpReadinessProbe(PROBE_TIMEOUT_MS),
    pollMs: config.READINESS_POLL_MS,
    onTransition: ({ url, to, reason }) => {
      metrics.backendTransitions.inc({ backend: url, to });
      metrics.backendsReady.set(pool.readyCount());
      const fields = { backend: url, reason, ready: pool.readyCount() };
      if (to === "up") logger.info(fields, "backend up");
      else logger.warn(fields, "backend down");
    },
  });
  const proxy = createBackendProxy({
    pool,
    metrics,
    logger,
    timeoutMs: config.PROXY_TIMEOUT_MS,
    retryOnOtherBackend: config.RETRY_ON_OTHER_BACKEND,
  });
  return {
    app: createGatewayApp({ pool, proxy, metrics, logger }),
    pool,
    start: () => pool.start(),
    async stop() {
      await pool.stop();
      proxy.close();
    },
  };
}
