import type { LevelWithSilent } from "pino";
import { z } from "zod";
import { BlackoutError } from "./errors.ts";
import { parseDuration } from "./parseDuration.ts";

/** The environment as Node exposes it: every value a string, absent keys undefined. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigIssue {
  /** The variable at fault; a list item is named like `KAFKA_BROKERS[1]`. */
  readonly variable: string;
  readonly message: string;
}

export class ConfigError extends BlackoutError {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      "invalid_config",
      ["Invalid configuration:", ...issues.map((i) => `  ${i.variable}: ${i.message}`)].join("\n"),
    );
    this.issues = issues;
  }
}

/**
 * Parses the environment into a typed object, reporting every wrong variable at once so that an
 * operator fixes a deployment in one round trip. This module is the only reader of `process.env`:
 * each service parses its schema once at start and passes the result down.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  // An empty value counts as unset, as the OpenTelemetry specification does for OTEL_*
  // variables: `FOO=` in a manifest or shell usually means "use the default".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(present, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map(toConfigIssue));
}

/** The process environment with some variables replaced, e.g. by command-line flags. */
export function environmentWith(overrides: Readonly<Record<string, string>>): Env {
  return { ...process.env, ...overrides };
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const variable = issue.path
    .map((key, index) =>
      typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`,
    )
    .join("");
  // A custom issue without input is a rule across variables ("required when …"): its message says why.
  if (issue.input === undefined) {
    return { variable, message: issue.code === "custom" ? issue.message : "required but not set" };
  }
  return { variable, message: `${issue.message}, got ${JSON.stringify(issue.input)}` };
}

/**
 * An env string parsed by `parse`, which returns undefined for input it rejects. The issue
 * message is what was expected; loadConfig appends the value it got.
 */
function envString<T>(expected: string, parse: (raw: string) => T | undefined) {
  return z.string().transform((raw, ctx) => {
    const value = parse(raw.trim());
    if (value !== undefined) return value;
    ctx.addIssue({ code: "custom", message: `expected ${expected}`, input: raw });
    return z.NEVER;
  });
}

function wholeNumber(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function port() {
  return envString("a port number (1-65535)", (raw) => {
    const value = wholeNumber(raw);
    return value !== undefined && value >= 1 && value <= 65535 ? value : undefined;
  });
}

export function positiveInt() {
  return envString("a whole number greater than 0", (raw) => {
    const value = wholeNumber(raw);
    return value !== undefined && value > 0 ? value : undefined;
  });
}

export function nonNegativeInt() {
  return envString("a whole number (0 or more)", wholeNumber);
}

/** Milliseconds: a bare number ("500") or one with a unit ("500ms", "2s", "1.5m"). */
export function durationMs() {
  return envString('a duration such as "500", "500ms", "2s" or "1m"', parseDuration);
}

/** Milliseconds greater than 0. */
export function positiveDurationMs() {
  return durationMs().refine((ms) => ms > 0, "expected a duration greater than 0");
}

/**
 * An http(s) URL. Not z.httpUrl(): it insists on a dotted domain, and services are reached by
 * short names (`gateway`, `otel-collector`).
 */
export function httpUrl(example: string) {
  return z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });
}

/** An http(s) base URL without a trailing slash, so that `${url}/api/…` is always right. */
export function baseUrl(example: string) {
  return httpUrl(example).transform((url) => url.replace(/\/+$/, ""));
}

/** Where a service listens: loopback by default (DESIGN §3), its own port. */
export function httpServerSettings(defaultPort: number) {
  return {
    HTTP_HOST: z.string().min(1).default("127.0.0.1"),
    HTTP_PORT: port().default(defaultPort),
  };
}

/** How a client polls (DESIGN §1): POLL_MS, and STALL_MS which defaults to 3 × POLL_MS. */
export const pollingSettings = {
  POLL_MS: positiveDurationMs().default(500),
  /** A stretch without fresh data longer than this is an outage; 3 × POLL_MS if unset. */
  STALL_MS: positiveDurationMs().optional(),
};

/** STALL_MS as configured, or 3 × POLL_MS (DESIGN §1). */
export function stallMsOf(config: { POLL_MS: number; STALL_MS?: number | undefined }): number {
  return config.STALL_MS ?? 3 * config.POLL_MS;
}

/** A comma separated list; blanks around items and empty items (a trailing comma) are dropped. */
export function csv<T extends z.ZodType<unknown, string>>(of: T) {
  return z
    .string()
    .transform((raw) =>
      raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    )
    .pipe(z.array(of));
}

export function bool() {
  return envString('"true", "false", "1" or "0"', (raw) => {
    switch (raw.toLowerCase()) {
      case "true":
      case "1":
        return true;
      case "false":
      case "0":
        return false;
      default:
        return undefined;
    }
  });
}

const logLevels = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
] as const satisfies readonly LevelWithSilent[];

export const commonConfigSchema = z.object({
  LOG_LEVEL: z.enum(logLevels).default("info"),
  BLACKOUT_CACHE_DIR: z.string().optional(),
});

const otlpEndpoint = () => httpUrl("http://127.0.0.1:4318");

export const telemetryConfigSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint().optional(),
  // The exporter also honours the per-signal endpoint; setting only it must switch tracing on too.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  // The standard switch, so that the SDK's own reading of it and ours cannot disagree.
  OTEL_SDK_DISABLED: bool().default(false),
  // The batch span processor's standard settings (the SDK's defaults when unset). Read here
  // because telemetry builds its own processor, to count what it drops.
  OTEL_BSP_SCHEDULE_DELAY: nonNegativeInt().optional(),
  OTEL_BSP_EXPORT_TIMEOUT: positiveInt().optional(),
  OTEL_BSP_MAX_QUEUE_SIZE: positiveInt().optional(),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: positiveInt().optional(),
});

export type CommonConfig = z.output<typeof commonConfigSchema>;
export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
