import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

interface FixtureRun {
  readonly code: number | null;
  readonly report: {
    telemetryStarted: boolean;
    statuses: number[];
    kafkajsPatched: boolean;
    slowestMs: number;
    metrics: string;
  };
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string };
}

interface OtlpTraces {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: readonly {
      readonly spans: readonly { readonly attributes: readonly OtlpAttribute[] }[];
    }[];
  }[];
}

const telemetryPath = fileURLToPath(new URL("./telemetry.ts", import.meta.url));
const fixturePath = fileURLToPath(new URL("./telemetry.fixture.ts", import.meta.url));

// Stands in for both an OTLP collector (/v1/traces) and the service the fixture calls.
const received: ReceivedRequest[] = [];
const receiver: Server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    received.push({
      method: request.method ?? "",
      path: request.url ?? "",
      body: Buffer.concat(chunks).toString(),
    });
    response.setHeader("content-type", "application/json");
    response.end("{}");
  });
});
let baseUrl = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) =>
    receiver.close((error) => (error ? reject(error) : resolve())),
  );
});

beforeEach(() => {
  received.length = 0;
});

/**
 * Runs the fixture under `--import telemetry.ts` with exactly `env`, nothing inherited, and kills
 * it if it hangs (the abort makes spawn emit "error", which ends the wait below).
 */
async function runFixture(
  env: Record<string, string>,
  mode?: "flush-on-exit" | "burst",
): Promise<FixtureRun> {
  const args = ["--import", telemetryPath, fixturePath, `${baseUrl}/fixture-target`];
  const child = spawn(process.execPath, mode === undefined ? args : [...args, mode], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    signal: AbortSignal.timeout(30_000),
    killSignal: "SIGKILL",
  });
  try {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    const line = stdout.trim().split("\n").at(-1) ?? "";
    if (!line.startsWith("{")) throw new Error(`fixture printed no report; stderr:\n${stderr}`);
    return { code, report: JSON.parse(line) as FixtureRun["report"] };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

function traceExports(): OtlpTraces[] {
  return received
    .filter((request) => request.method === "POST" && request.path === "/v1/traces")
    .map((request) => JSON.parse(request.body) as OtlpTraces);
}

function stringAttribute(attributes: readonly OtlpAttribute[], key: string): string | undefined {
  return attributes.find((attribute) => attribute.key === key)?.value.stringValue;
}

const tracingEnv = (scheduleDelayMs = 100) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: baseUrl,
  OTEL_SERVICE_NAME: "fixture",
  OTEL_BSP_SCHEDULE_DELAY: String(scheduleDelayMs),
});

describe("telemetry bootstrap", { timeout: 40_000 }, () => {
  it("exports the fixture's HTTP client span over OTLP/HTTP when an endpoint is set", async () => {
    const { code, report } = await runFixture(tracingEnv());

    expect(code).toBe(0);
    expect(report).toMatchObject({ telemetryStarted: true, statuses: [200], kafkajsPatched: true });
    const exports = traceExports();
    expect(exports.length).toBeGreaterThan(0);
    const resourceSpans = exports.flatMap((body) => body.resourceSpans);
    expect(
      resourceSpans.map((r) => stringAttribute(r.resource.attributes, "service.name")),
    ).toContain("fixture");
    const urls = resourceSpans
      .flatMap((r) => r.scopeSpans.flatMap((scope) => scope.spans))
      .map((span) => stringAttribute(span.attributes, "url.full"));
    expect(urls).toContain(`${baseUrl}/fixture-target`);
  });

  it("flushes on beforeExit and keeps the process's exit code", async () => {
    // A batch delay far beyond the fixture's life: only the beforeExit flush can deliver the span.
    const { code, report } = await runFixture(tracingEnv(60_000), "flush-on-exit");

    expect(code).toBe(3);
    expect(report.telemetryStarted).toBe(true);
    expect(traceExports().length).toBeGreaterThan(0);
  });

  it("does nothing without an endpoint", async () => {
    const { code, report } = await runFixture({ OTEL_SERVICE_NAME: "fixture" });

    expect(code).toBe(0);
    expect(report).toMatchObject({
      telemetryStarted: false,
      statuses: [200],
      kafkajsPatched: false,
    });
    expect(received.map((request) => request.path)).toEqual(["/fixture-target"]);
    expect(report.metrics).not.toContain("trace_span");
  });

  it("never makes a request wait for a stalled trace backend: it drops spans and counts them", async () => {
    // A backend that accepts connections and never answers: the worst case, since a refused
    // connection at least fails fast. Each export would hang for a minute.
    const stalled = createServer(() => undefined);
    await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
    try {
      const { code, report } = await runFixture(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
          OTEL_SERVICE_NAME: "fixture",
          OTEL_EXPORTER_OTLP_TIMEOUT: "60000",
          OTEL_BSP_EXPORT_TIMEOUT: "60000",
          OTEL_BSP_SCHEDULE_DELAY: "10",
          OTEL_BSP_MAX_QUEUE_SIZE: "50",
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "10",
        },
        "burst",
      );

      expect(code).toBe(0);
      expect(report.statuses).toEqual([200]);
      // Far below the minute an export hangs: no request ever waited for one.
      expect(report.slowestMs).toBeLessThan(2_000);
      // 300 client spans: at most 10 in the hanging export and 50 queued, the rest dropped.
      const dropped =
        /^blackout_fixture_trace_spans_dropped_total\{reason="queue_full"\} (\d+)$/m.exec(
          report.metrics,
        );
      expect(Number(dropped?.[1])).toBeGreaterThanOrEqual(240);
      expect(report.metrics).toContain("blackout_fixture_trace_spans_exported_total 0");
      expect(report.metrics).toContain("blackout_fixture_trace_span_queue 50");
      expect(report.metrics).toContain("blackout_fixture_trace_span_queue_capacity 50");
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });
});
