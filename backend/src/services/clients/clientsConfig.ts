import { z } from "zod";
import {
  commonConfigSchema,
  durationMs,
  loadConfig,
  port,
  positiveInt,
  type Env,
} from "../../lib/config.ts";

/** The most clients one fleet process runs: what 2 cores carry next to the rest of the lab. */
export const MAX_CLIENTS = 1000;

/** A poll timeout shorter than this fails polls that a loaded machine answers a little late. */
const MIN_POLL_TIMEOUT_MS = 1000;

// Not z.httpUrl(): it insists on a dotted domain, and services are reached as `gateway`.
const serviceUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

const positiveDuration = () =>
  durationMs().refine((ms) => ms > 0, "expected a duration greater than 0");

/** What the client fleet reads from its environment (DESIGN §1 and §3 defaults). */
export const clientsConfigSchema = commonConfigSchema.extend({
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  HTTP_PORT: port().default(7300),
  /** Where clients poll `api/records`: the gateway locally, the consumers' Service in Kubernetes. */
  TARGET_URL: serviceUrl("http://127.0.0.1:8080").default("http://127.0.0.1:8080"),
  CLIENTS: positiveInt()
    .refine((count) => count <= MAX_CLIENTS, `expected at most ${MAX_CLIENTS} clients`)
    .default(20),
  POLL_MS: positiveDuration().default(500),
  /** A stretch without fresh data longer than this is an outage; 3 × POLL_MS if unset. */
  STALL_MS: positiveDuration().optional(),
  /** A poll without a complete answer by then fails as a timeout; 2 × POLL_MS (at least 1 s) if unset. */
  POLL_TIMEOUT_MS: durationMs()
    .refine(
      (ms) => ms >= MIN_POLL_TIMEOUT_MS,
      `expected a duration of at least ${MIN_POLL_TIMEOUT_MS} ms`,
    )
    .optional(),
  /** The control service that summaries and anomaly events are pushed to; unset, nothing is pushed. */
  CONTROL_URL: serviceUrl("http://127.0.0.1:8081").optional(),
});

export type ClientsConfig = Omit<
  z.output<typeof clientsConfigSchema>,
  "STALL_MS" | "POLL_TIMEOUT_MS"
> & {
  STALL_MS: number;
  POLL_TIMEOUT_MS: number;
};

/** The fleet's configuration, with STALL_MS and POLL_TIMEOUT_MS derived from POLL_MS when unset. */
export function loadClientsConfig(env?: Env): ClientsConfig {
  const config = loadConfig(clientsConfigSchema, env);
  return {
    ...config,
    STALL_MS: config.STALL_MS ?? 3 * config.POLL_MS,
    POLL_TIMEOUT_MS: config.POLL_TIMEOUT_MS ?? Math.max(MIN_POLL_TIMEOUT_MS, 2 * config.POLL_MS),
  };
}
