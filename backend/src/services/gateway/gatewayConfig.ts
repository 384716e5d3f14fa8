import type { z } from "zod";
import {
  bool,
  commonConfigSchema,
  csv,
  httpServerSettings,
  baseUrl,
  loadConfig,
  positiveDurationMs,
  type Env,
} from "../../lib/config.ts";

/** What the gateway reads from its environment (DESIGN §3 defaults: gateway 8080, consumers 7200..). */
export const gatewayConfigSchema = commonConfigSchema.extend({
  ...httpServerSettings(8080),
  CONSUMER_URLS: csv(baseUrl("http://127.0.0.1:7200"))
    .refine((urls) => urls.length > 0, "expected at least one consumer URL")
    .refine((urls) => new Set(urls).size === urls.length, "expected each consumer URL once")
    .default(["http://127.0.0.1:7200", "http://127.0.0.1:7201", "http://127.0.0.1:7202"]),
  /** How often each consumer's /readyz is asked, like an endpoints controller's probe period. */
  READINESS_POLL_MS: positiveDurationMs().default(500),
  /** A backend that has not answered within this is a 504 (it is not dropped: a probe decides). */
  PROXY_TIMEOUT_MS: positiveDurationMs().default(5000),
  /** Off: one backend per request, as kube-proxy does. On: a refused GET is tried once elsewhere. */
  RETRY_ON_OTHER_BACKEND: bool().default(false),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env?: Env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env);
}
