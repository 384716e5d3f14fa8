import type { z } from "zod";
import {
  commonConfigSchema,
  durationMs,
  httpServerSettings,
  httpUrl,
  loadConfig,
  pollingSettings,
  positiveInt,
  stallMsOf,
  type Env,
} from "../../lib/config.ts";
import { MAX_WAIT_MS } from "../../contract/recordsAnswer.ts";

/**
 * The most clients one fleet process runs. On 2 cores the whole lab carries far fewer polling every
 * 500 ms (docs/benchmarks.md, "Fleet scale"; `npm run bench -- fleet`); more need a longer POLL_MS.
 */
export const MAX_CLIENTS = 1000;

/** A poll timeout shorter than this fails polls that a loaded machine answers a little late. */
const MIN_POLL_TIMEOUT_MS = 1000;

/** What the client fleet reads from its environment (DESIGN §1 and §3 defaults). */
export const clientsConfigSchema = commonConfigSchema.extend({
  ...httpServerSettings(7300),
  /** Where clients poll `api/records`: the gateway locally, the consumers' Service in Kubernetes. */
  TARGET_URL: httpUrl("http://127.0.0.1:8080").default("http://127.0.0.1:8080"),
  CLIENTS: positiveInt()
    .refine((count) => count <= MAX_CLIENTS, `expected at most ${MAX_CLIENTS} clients`)
    .default(20),
  ...pollingSettings,
  /** A poll without a complete answer by then fails as a timeout; 2 × POLL_MS (at least 1 s) if unset. */
  POLL_TIMEOUT_MS: durationMs()
    .refine(
      (ms) => ms >= MIN_POLL_TIMEOUT_MS,
      `expected a duration of at least ${MIN_POLL_TIMEOUT_MS} ms`,
    )
    .optional(),
  /**
   * Long-polling: each poll asks the consumer to hold its answer up to this long until a record
   * arrives, and the next starts as soon as an answer came. 0 (default): polling every POLL_MS.
   */
  LONG_POLL_MS: durationMs()
    .refine((ms) => ms <= MAX_WAIT_MS, `expected a duration of at most ${MAX_WAIT_MS} ms`)
    .default(0),
  /** The control service that summaries and anomaly events are pushed to; unset, nothing is pushed. */
  CONTROL_URL: httpUrl("http://127.0.0.1:8081").optional(),
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
    STALL_MS: stallMsOf(config),
    POLL_TIMEOUT_MS: config.POLL_TIMEOUT_MS ?? Math.max(MIN_POLL_TIMEOUT_MS, 2 * config.POLL_MS),
  };
}
