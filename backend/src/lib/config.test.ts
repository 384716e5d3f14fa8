import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  bool,
  commonConfigSchema,
  csv,
  durationMs,
  loadConfig,
  port,
  positiveInt,
  telemetryConfigSchema,
} from "./config.ts";

const schema = z.object({
  PORT: port().default(7100),
  KAFKA_HEAP_MB: positiveInt().default(512),
  POLL_MS: durationMs().default(500),
  KAFKA_BROKERS: csv(z.string()).default(["127.0.0.1:19092"]),
  BROKER_PORTS: csv(port()).optional(),
  CHAOS_ENABLED: bool().default(false),
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies defaults when variables are unset", () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 7100,
      KAFKA_HEAP_MB: 512,
      POLL_MS: 500,
      KAFKA_BROKERS: ["127.0.0.1:19092"],
      CHAOS_ENABLED: false,
    });
    expect(loadConfig(commonConfigSchema, {})).toEqual({ LOG_LEVEL: "info" });
  });

  it("treats an empty value as unset", () => {
    expect(loadConfig(schema, { PORT: "", KAFKA_HEAP_MB: "" })).toMatchObject({
      PORT: 7100,
      KAFKA_HEAP_MB: 512,
    });
  });

  it("parses good values to their types", () => {
    const config = loadConfig(schema, {
      PORT: "8081",
      KAFKA_HEAP_MB: " 1024 ",
      POLL_MS: "2s",
      KAFKA_BROKERS: "a:1, b:2,c:3,",
      BROKER_PORTS: "19092,29092",
      CHAOS_ENABLED: "TRUE",
      UNRELATED: "ignored",
    });
    expect(config).toEqual({
      PORT: 8081,
      KAFKA_HEAP_MB: 1024,
      POLL_MS: 2000,
      KAFKA_BROKERS: ["a:1", "b:2", "c:3"],
      BROKER_PORTS: [19092, 29092],
      CHAOS_ENABLED: true,
    });
    expect(
      loadConfig(commonConfigSchema, { LOG_LEVEL: "debug", BLACKOUT_CACHE_DIR: "/tmp/c" }),
    ).toEqual({ LOG_LEVEL: "debug", BLACKOUT_CACHE_DIR: "/tmp/c" });
    expect(
      loadConfig(telemetryConfigSchema, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_SERVICE_NAME: "producer",
        OTEL_SDK_DISABLED: "true",
      }),
    ).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_SERVICE_NAME: "producer",
      OTEL_SDK_DISABLED: true,
    });
  });

  it.each([
    ["500", 500],
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["0", 0],
  ])("reads the duration %j as %d ms", (raw, ms) => {
    expect(loadConfig(z.object({ D: durationMs() }), { D: raw }).D).toBe(ms);
  });

  it.each([
    ["1", true],
    ["0", false],
    ["false", false],
    ["True", true],
  ])("reads the boolean %j as %s", (raw, value) => {
    expect(loadConfig(z.object({ B: bool() }), { B: raw }).B).toBe(value);
  });

  it.each([
    ["PORT", "abc", 'PORT: expected a port number (1-65535), got "abc"'],
    ["PORT", "0", 'PORT: expected a port number (1-65535), got "0"'],
    ["PORT", "65536", 'PORT: expected a port number (1-65535), got "65536"'],
    ["PORT", "80.5", 'PORT: expected a port number (1-65535), got "80.5"'],
    ["KAFKA_HEAP_MB", "abc", 'KAFKA_HEAP_MB: expected a whole number greater than 0, got "abc"'],
    ["KAFKA_HEAP_MB", "0", 'KAFKA_HEAP_MB: expected a whole number greater than 0, got "0"'],
    ["KAFKA_HEAP_MB", "-3", 'KAFKA_HEAP_MB: expected a whole number greater than 0, got "-3"'],
    ["POLL_MS", "soon", "POLL_MS: expected a duration such as"],
    ["POLL_MS", "2h", "POLL_MS: expected a duration such as"],
    ["BROKER_PORTS", "19092,x", 'BROKER_PORTS[1]: expected a port number (1-65535), got "x"'],
    ["CHAOS_ENABLED", "yes", `CHAOS_ENABLED: expected "true", "false", "1" or "0", got "yes"`],
  ])("names %s when it is %j", (variable, raw, message) => {
    const error = configError(() => loadConfig(schema, { [variable]: raw }));
    expect(error.message).toContain(message);
    expect(error.issues.map((i) => i.variable)).toEqual([
      variable === "BROKER_PORTS" ? "BROKER_PORTS[1]" : variable,
    ]);
  });

  it("rejects an unknown log level and a malformed endpoint", () => {
    const error = configError(() =>
      loadConfig(commonConfigSchema.extend(telemetryConfigSchema.shape), {
        LOG_LEVEL: "loud",
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
      }),
    );
    expect(error.issues.map((i) => i.variable)).toEqual([
      "LOG_LEVEL",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]);
    expect(error.message).toContain('got "loud"');
  });

  it("reports every bad variable at once, and required ones that are missing", () => {
    const error = configError(() =>
      loadConfig(schema.extend({ OPERATOR_TOKEN: z.string() }), {
        PORT: "http",
        KAFKA_HEAP_MB: "lots",
        CHAOS_ENABLED: "maybe",
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
    expect(error.issues.map((i) => i.variable)).toEqual([
      "PORT",
      "KAFKA_HEAP_MB",
      "CHAOS_ENABLED",
      "OPERATOR_TOKEN",
    ]);
    expect(error.message).toBe(
      [
        "Invalid configuration:",
        '  PORT: expected a port number (1-65535), got "http"',
        '  KAFKA_HEAP_MB: expected a whole number greater than 0, got "lots"',
        `  CHAOS_ENABLED: expected "true", "false", "1" or "0", got "maybe"`,
        "  OPERATOR_TOKEN: required but not set",
      ].join("\n"),
    );
  });
});
