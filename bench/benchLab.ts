// The whole local lab as a benchmark runs it: `npm start`'s own entry point (backend/src/lab/
// main.ts) on free ports, in a process group of its own, stopped with SIGINT as Ctrl-C would.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freeKafkaNodes } from "../backend/src/kafka/freeKafkaNodes.ts";
import { KAFKA_VERSION } from "../backend/src/kafka/kafkaJars.ts";
import { environmentWith } from "../backend/src/lib/config.ts";
import { consecutiveFreePorts, freePorts } from "../backend/src/lib/freePorts.ts";
import { waitFor } from "../backend/src/lib/waitFor.ts";
import type { ComponentInfo } from "../backend/src/chaos/supervisor/localSupervisor.ts";
import type { Fault } from "../backend/src/contract/fault.ts";
import type { TargetView } from "../backend/src/contract/targets.ts";

const labMain = join(import.meta.dirname, "../backend/src/lab/main.ts");

/** The working tree the figures come from. */
export const commit = spawnSync("git", ["describe", "--always", "--dirty"], {
  encoding: "utf8",
}).stdout.trim();

/** The kafkajs the services run, for a result file's versions. */
const kafkajsVersion = (
  JSON.parse(
    readFileSync(join(import.meta.dirname, "../node_modules/kafkajs/package.json"), "utf8"),
  ) as { version: string }
).version;

/** What every result file starts with: which benchmark, when, from which tree, where. */
export function resultHeader<Name extends string>(benchmark: Name) {
  return {
    benchmark,
    date: new Date().toISOString(),
    commit,
    machine: machine(),
    versions: { node: process.version, kafka: KAFKA_VERSION, kafkajs: kafkajsVersion },
  };
}

/** "2026-12-07, 2 × AMD EPYC, 24 GiB; Kafka 4.4.0, kafkajs 2.2.4, Node v24.21.0" */
export function describeRun(header: ReturnType<typeof resultHeader>): string {
  const { date, machine: where, versions } = header;
  return `${date.slice(0, 10)}, ${where.cpus} × ${where.cpuModel}, ${where.memoryGiB} GiB; Kafka ${versions.kafka}, kafkajs ${versions.kafkajs}, Node ${versions.node}`;
}

export function machine(): { cpus: number; cpuModel: string; memoryGiB: number } {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/** An overloaded lab answers its own API late: that is measured, not a reason to give up. */
const API_TIMEOUT_MS = 60_000;

export async function get(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(API_TIMEOUT_MS), ...init });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return response;
  } catch (error) {
    throw new Error(
      `${init.method ?? "GET"} ${url}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

export async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  return (await (await get(url, init)).json()) as T;
}

export interface Lab {
  process: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  ports: Readonly<Record<string, string>>;
  url: (portSetting: string, offset?: number) => string;
}

/**
 * Free ports for every part of the lab, kept for all the runs of one benchmark, none of them
 * shared: each pick is free when made, but the picks are independent, and a consumer whose port
 * the supervisor (started first) also got would fail to listen on every restart of the run.
 */
export async function labPorts(): Promise<Record<string, string>> {
  for (;;) {
    const nodes = await freeKafkaNodes();
    const [gateway, control, clients, supervisor, prometheus] = await freePorts(5);
    const producerBase = await consecutiveFreePorts(10);
    const consumerBase = await consecutiveFreePorts(10);
    const block = (base: number) => Array.from({ length: 10 }, (_, i) => base + i);
    const all = [
      ...nodes.flatMap((n) => [n.brokerPort, n.controllerPort]),
      ...[gateway, control, clients, supervisor, prometheus],
      ...block(producerBase),
      ...block(consumerBase),
    ];
    if (new Set(all).size < all.length) continue;
    return {
      KAFKA_BROKER_PORTS: nodes.map((n) => n.brokerPort).join(","),
      KAFKA_CONTROLLER_PORTS: nodes.map((n) => n.controllerPort).join(","),
      PRODUCER_PORT: String(producerBase),
      CONSUMER_PORT: String(consumerBase),
      GATEWAY_PORT: String(gateway),
      CONTROL_PORT: String(control),
      CLIENTS_PORT: String(clients),
      SUPERVISOR_PORT: String(supervisor),
      PROMETHEUS_PORT: String(prometheus),
    };
  }
}

/** Every target running and ready, no fault open: the lab is whole again. */
export async function whole(lab: Lab): Promise<boolean> {
  const control = lab.url("CONTROL_PORT");
  const targets = await getJson<TargetView[]>(`${control}/api/targets`);
  const { faults } = await getJson<{ faults: Fault[] }>(`${control}/api/faults`);
  return (
    targets.every((t) => t.status === "running" && t.ready) &&
    faults.every((f) => f.report.status === "complete")
  );
}

/** The supervisor's view of every component: name, kind, pid, restarts. */
export async function labComponents(lab: Lab): Promise<ComponentInfo[]> {
  return getJson<ComponentInfo[]>(`${lab.url("SUPERVISOR_PORT")}/api/components`);
}

/** Waits for the lab to be whole, then lets it settle for `settleS` seconds. */
export async function wholeAndSettled(
  lab: Lab,
  settleS: number,
  print: (line: string) => void,
): Promise<void> {
  await waitFor(() => whole(lab), {
    what: "the lab to be whole",
    timeoutMs: 180_000,
    intervalMs: 1000,
  });
  print(`lab up and whole; settling ${settleS} s`);
  await sleep(settleS * 1000);
}

/** The lab of the current run, from its spawn until its stop begins (for Ctrl-C). */
let running: Lab | undefined;

export async function startLab(
  dataDir: string,
  ports: Readonly<Record<string, string>>,
  settings: Readonly<Record<string, string>>,
): Promise<Lab> {
  // The user's environment (PATH finds java), as npm start inherits it, with the run's settings.
  const env = environmentWith({
    ...ports,
    BLACKOUT_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    ...settings,
  });
  const child = spawn(process.execPath, ["--disable-warning=TimeoutNegativeWarning", labMain], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lab: Lab = {
    process: child,
    output: () => output,
    exited,
    ports,
    url: (portSetting, offset = 0) => `http://127.0.0.1:${Number(ports[portSetting]) + offset}`,
  };
  running = lab;
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the lab exited:\n${output}`);
        return output.includes("Blackout lab is up.");
      },
      { what: "the lab to come up", timeoutMs: 240_000, intervalMs: 500 },
    );
  } catch (error) {
    // A lab that did not come up in time is still starting its brokers and services.
    await stopLab(lab);
    throw error;
  }
  return lab;
}

export async function stopLab(lab: Lab): Promise<void> {
  if (running === lab) running = undefined;
  lab.process.kill("SIGINT");
  const stopped = await Promise.race([
    lab.exited.then(() => true),
    sleep(60_000, false, { ref: false }),
  ]);
  if (!stopped && lab.process.pid !== undefined) process.kill(-lab.process.pid, "SIGKILL");
}

/** Ctrl-C stops the lab of the current run and removes the benchmark's data. */
export function stopOnInterrupt(dataDir: string): void {
  process.once("SIGINT", () => {
    const stopping = running === undefined ? Promise.resolve() : stopLab(running);
    void stopping
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  });
}
