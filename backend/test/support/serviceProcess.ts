import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "../../src/lib/waitFor.ts";

const backendDir = join(import.meta.dirname, "../..");

export interface ServiceProcess {
  readonly url: string;
  /** Where its Prometheus metrics are (the gateway keeps its own under /gateway). */
  readonly metricsUrl: string;
  readonly child: ChildProcess;
  /** Everything the service logged so far (stdout and stderr). */
  output(): string;
  /** Resolves once `GET /readyz` answers 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Sends a signal and resolves with the exit code once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself. */
  exited: Promise<number | null>;
}

/**
 * Runs a Blackout service as a real process, the way the lab and Kubernetes run it (telemetry
 * bootstrap first, its own process), so that a test can SIGKILL it for real. It gets only the
 * environment the test gives (HTTP_PORT from `port` unless `env` names one): a service must not
 * depend on the caller's.
 */
export function startService(
  service: "producer" | "consumer" | "gateway" | "clients",
  port: number,
  env: Record<string, string>,
): ServiceProcess {
  // The gateway proxies /readyz and /metrics to consumers; its own live under /gateway.
  const ownPrefix = service === "gateway" ? "/gateway" : "";
  const child = spawn(
    process.execPath,
    [
      "--disable-warning=TimeoutNegativeWarning",
      "--import",
      "./src/lib/telemetry.ts",
      `src/services/${service}/main.ts`,
    ],
    {
      cwd: backendDir,
      env: { HTTP_PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metricsUrl: `${url}${ownPrefix}/metrics`,
    child,
    exited,
    output: () => output,
    async waitReady(timeoutMs = 120_000) {
      await waitFor(
        async () => {
          if (child.exitCode !== null) {
            throw new Error(`${service} exited with ${child.exitCode}:\n${output.slice(-3000)}`);
          }
          const response = await fetch(`${url}${ownPrefix}/readyz`);
          return response.status === 200;
        },
        { what: `${service} on ${url} to be ready`, timeoutMs, intervalMs: 200 },
      );
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// Properties, not methods: tests take them apart (`const { launch, killAll } = …`).
export interface ServiceLauncher {
  /** Starts a service (its log at warn unless `env` says otherwise) and remembers it. */
  readonly launch: (
    service: Parameters<typeof startService>[0],
    port: number,
    env: Record<string, string>,
  ) => ServiceProcess;
  /** SIGKILLs every service it started: a test's afterAll, whatever the test did. */
  readonly killAll: () => Promise<void>;
}

export function createServiceLauncher(): ServiceLauncher {
  const services: ServiceProcess[] = [];
  return {
    launch(service, port, env) {
      const started = startService(service, port, { LOG_LEVEL: "warn", ...env });
      services.push(started);
      return started;
    },
    async killAll() {
      await Promise.all(services.map((service) => service.kill("SIGKILL")));
    },
  };
}
