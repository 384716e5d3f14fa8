/**
 * Run by telemetry.test.ts under `--import telemetry.ts`: makes HTTP requests to the URL in
 * argv[2], and reports what it saw as one JSON line on stdout. argv[3] is the mode:
 * - none: one request, then a clean shutdown (which flushes the spans);
 * - "flush-on-exit": one request, then exit code 3, leaving the flush to the beforeExit hook;
 * - "burst": 300 requests one after another, reporting the slowest and the service's metrics,
 *   then exit at once (a flush would wait for the trace backend, which the test may stall).
 */
import { Kafka } from "kafkajs";
// Loaded first, as in every service: koa, CommonJS, loads `http` before anything else does,
// which is how a named ESM import of `request` once missed the instrumentation's patch.
import "koa";
import { createHttpFetch } from "../services/clients/httpFetch.ts";
import { createMetrics } from "./metrics.ts";
import { shutdownTelemetry, telemetryStarted } from "./telemetry.ts";

const [, , url, mode] = process.argv;
if (url === undefined) throw new Error("usage: telemetry.fixture.ts <url> [flush-on-exit|burst]");

// The fleet's own HTTP client: its requests must carry the poll's trace to the gateway.
const http = createHttpFetch();
async function request(): Promise<number> {
  const answer = await http.fetch(url ?? "", { signal: AbortSignal.timeout(5000) });
  await answer.text();
  return answer.status;
}

const statuses = new Set<number>();
let slowestMs = 0;
for (let i = 0; i < (mode === "burst" ? 300 : 1); i++) {
  const started = performance.now();
  statuses.add(await request());
  slowestMs = Math.max(slowestMs, performance.now() - started);
}

http.close();

// shimmer marks what it wraps; kafkajs is CommonJS imported from ESM, the path the hook exists for.
const producer: unknown = Reflect.get(Kafka.prototype, "producer");
const kafkajsPatched = typeof producer === "function" && "__wrapped" in producer;
const report = {
  telemetryStarted,
  statuses: [...statuses],
  kafkajsPatched,
  slowestMs,
  metrics: await createMetrics("fixture").metricsText(),
};
process.stdout.write(`${JSON.stringify(report)}\n`);

if (mode === "flush-on-exit") process.exitCode = 3;
else if (mode === "burst") process.exit(0);
else await shutdownTelemetry();
