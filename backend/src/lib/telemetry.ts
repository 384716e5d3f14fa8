/**
 * The tracing bootstrap, loaded before the app: `node --import ./src/lib/telemetry.ts main.ts`.
 * It must run first because instrumentations patch modules as they are loaded.
 *
 * It installs no signal handlers: a SIGTERM listener would replace Node's default exit, and each
 * service already owns its graceful shutdown, which calls `shutdownTelemetry()` last so that the
 * spans of the shutdown itself are exported. A process that simply runs out of work (the CLI) is
 * flushed on `beforeExit`, which keeps its exit code.
 */
import { loadConfig, telemetryConfigSchema } from "./config.ts";
import { createTelemetry } from "./createTelemetry.ts";

const telemetry = createTelemetry(loadConfig(telemetryConfigSchema));
await telemetry.start();

export const telemetryStarted: boolean = telemetry.enabled;

export function shutdownTelemetry(): Promise<void> {
  return telemetry.shutdown();
}

if (telemetryStarted) {
  process.once("beforeExit", () => {
    void telemetry.shutdown().catch((error: unknown) => {
      process.emitWarning(`telemetry shutdown failed: ${String(error)}`);
    });
  });
}
