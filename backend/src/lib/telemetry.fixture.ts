/**
 * Run by telemetry.test.ts under `--import telemetry.ts`: makes one HTTP request to the URL in
 * argv[2], and reports what it saw as one JSON line on stdout. With "flush-on-exit" as argv[3] it
 * leaves the flush to telemetry's beforeExit hook and exits with code 3 instead of shutting down.
 */
import { get } from "node:http";
import { Kafka } from "kafkajs";
import { shutdownTelemetry, telemetryStarted } from "./telemetry.ts";

const [, , url, mode] = process.argv;
if (url === undefined) throw new Error("usage: telemetry.fixture.ts <url> [flush-on-exit]");

const status = await new Promise<number | undefined>((resolve, reject) => {
  get(url, (response) => {
    response.resume();
    response.on("end", () => resolve(response.statusCode));
  }).on("error", reject);
});

// shimmer marks what it wraps; kafkajs is CommonJS imported from ESM, the path the hook exists for.
const producer: unknown = Reflect.get(Kafka.prototype, "producer");
const kafkajsPatched = typeof producer === "function" && "__wrapped" in producer;
process.stdout.write(`${JSON.stringify({ telemetryStarted, status, kafkajsPatched })}\n`);

if (mode === "flush-on-exit") process.exitCode = 3;
else await shutdownTelemetry();
