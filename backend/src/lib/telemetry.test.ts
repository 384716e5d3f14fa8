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
  readonly report: { telemetryStarted: boolean; status: number; kafkajsPatched: boolean };
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
async function runFixture(env: Record<string, string>, mode?: string): Promise<FixtureRun> {
  const args = ["--import", telemetryPath, fixturePath, `${baseUrl}/fixture-target`];
  const child = spawn(process.execPath, mode === undefined ? args : [...args, mode], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    signal: AbortSignal.timeout(20_000),
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

describe("telemetry bootstrap", { timeout: 30_000 }, () => {
  it("exports the fixture's HTTP client span over OTLP/HTTP when an endpoint is set", async () => {
    const { code, report } = await runFixture(tracingEnv());

    expect(code).toBe(0);
    expect(report).toEqual({ telemetryStarted: true, status: 200, kafkajsPatched: true });
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
    expect(report).toEqual({ telemetryStarted: false, status: 200, kafkajsPatched: false });
    expect(received.map((request) => request.path)).toEqual(["/fixture-target"]);
  });
});
