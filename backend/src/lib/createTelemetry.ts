import type { NodeSDK } from "@opentelemetry/sdk-node";
import { register } from "node:module";
import type { TelemetryConfig } from "./config.ts";
import { publishSpanExportCounts } from "./spanExportCounts.ts";

export interface Telemetry {
  /** Whether `start` starts the SDK: an OTLP endpoint is configured and the SDK not disabled. */
  readonly enabled: boolean;
  /** Installs the ESM hook and starts the SDK; must run before the app imports what it traces. */
  start(): Promise<void>;
  /** Flushes finished spans and stops the SDK; later calls wait for the first one. */
  shutdown(): Promise<void>;
}

/**
 * Tracing as DESIGN §2 asks: OTLP over HTTP with the http, koa and kafkajs instrumentations, off
 * unless an endpoint is configured and OTEL_SDK_DISABLED is not set. Nothing is loaded or
 * registered before `start`, and nothing at all when disabled, so an unconfigured service pays
 * nothing for telemetry.
 */
export function createTelemetry(config: TelemetryConfig): Telemetry {
  const enabled =
    !config.OTEL_SDK_DISABLED &&
    (config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
      config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined);
  let sdk: Promise<NodeSDK> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    enabled,
    async start() {
      if (enabled) await (sdk ??= startSdk(config));
    },
    shutdown() {
      stopping ??= sdk?.then((started) => started.shutdown()) ?? Promise.resolve();
      return stopping;
    },
  };
}

async function startSdk(config: TelemetryConfig): Promise<NodeSDK> {
  // The ESM hook must be registered before the instrumentations are constructed: each one
  // announces the modules it patches through this channel, and the loader then wraps only those
  // (node:http, koa, kafkajs) instead of every module the app imports.
  const { createAddHookMessageChannel } = await import("import-in-the-middle");
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

  const [
    { NodeSDK },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    koa,
    kafkajs,
    { createSpanExportMeter },
  ] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/instrumentation-http"),
    import("@opentelemetry/instrumentation-koa"),
    import("@opentelemetry/instrumentation-kafkajs"),
    import("./createSpanExportMeter.ts"),
  ]);
  const spanExportMeter = createSpanExportMeter();
  publishSpanExportCounts(() => spanExportMeter.read());
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME,
    // The SDK's own batch processor, built here only to hand it a meter: a full queue drops spans
    // rather than making the service wait, and the meter counts those drops for /metrics.
    spanProcessors: [
      new BatchSpanProcessor({
        // Endpoint, headers and timeouts come from the standard OTEL_EXPORTER_OTLP_* variables.
        exporter: new OTLPTraceExporter(),
        selfObsMeterProvider: spanExportMeter.meterProvider,
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
        exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
        maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      }),
    ],
    instrumentations: [
      // Probes and scrapes (the gateway's and the supervisor's readiness checks, Prometheus)
      // arrive every second or so at every service: as traces they would only bury the rest.
      //
      // A request whose caller decided not to trace it (a `traceparent` with the sampled flag
      // off: the fleet samples 1 % of its polls) is not instrumented either, in and out (the
      // gateway forwards the caller's header): its spans would not be recorded, yet building
      // them cost each hop about a seventh of its CPU per poll (docs/benchmarks.md, "Fleet
      // scale"). Its parent's decision still reaches the next hop in the forwarded header.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          isOperationalPath(request.url ?? "") ||
          isUnsampledTraceparent(request.headers.traceparent),
        ignoreOutgoingRequestHook: (options) =>
          isUnsampledTraceparent(headerOf(options.headers, "traceparent")),
      }),
      new koa.KoaInstrumentation(),
      new kafkajs.KafkaJsInstrumentation(),
    ],
    // Traces only: metrics are prom-client's (scraped from /metrics) and logs are pino's on
    // stdout; left unset, the SDK would also push OTLP metrics and logs by default.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // Let the loader learn every hooked module before the app's first import is resolved.
  await waitForAllMessagesAcknowledged();
  return sdk;
}

/** A W3C `traceparent` (version 00) whose sampled flag is off; anything else is not. */
export function isUnsampledTraceparent(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const flags = /^00-[0-9a-f]{32}-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(value)?.[1];
  return flags !== undefined && (Number.parseInt(flags, 16) & 1) === 0;
}

function headerOf(headers: unknown, name: string): unknown {
  return typeof headers === "object" && headers !== null && !Array.isArray(headers)
    ? (headers as Record<string, unknown>)[name]
    : undefined;
}

/** /healthz, /readyz and /metrics, at the root or under a prefix (the gateway's /gateway/…). */
export function isOperationalPath(url: string): boolean {
  const path = url.split("?")[0] ?? "";
  return /(^|\/)(healthz|readyz|metrics)$/.test(path);
}
