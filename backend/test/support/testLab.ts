import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ComponentInfo } from "../../src/chaos/supervisor/localSupervisor.ts";
import { consecutiveFreePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { processesMentioning } from "./processes.ts";

const repoRoot = join(import.meta.dirname, "../../..");
const artifactsDir = join(import.meta.dirname, "../../../test-artifacts");

export interface LabRun {
  /** `npm start` itself (the lab's entry point runs under it, in the same process group). */
  readonly lab: ChildProcess;
  output(): string;
  /** The exit code, or the signal that ended npm (Ctrl-C ends npm by SIGINT once the lab stopped). */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Ctrl-C in the terminal: SIGINT to npm and everything it started. */
  interrupt(): void;
  /** SIGKILL to npm and everything it started. */
  kill(): void;
  /** Resolves once the lab printed "Blackout lab is up."; throws if it exited first. */
  waitUp(): Promise<void>;
}

export interface TestLab {
  readonly dataDir: string;
  /** The lab's settings (free ports, a temp data dir), given to `npm start` as flags. */
  readonly settings: Readonly<Record<string, string>>;
  readonly urls: {
    readonly control: string;
    readonly supervisor: string;
    readonly clients: string;
    readonly gateway: string;
    readonly prometheus: string;
    /** The lab's Jaeger: its HTTP query API. */
    readonly traces: string;
  };
  /** Every pid the supervisor reported so far: none may outlive the lab. */
  readonly everyPid: ReadonlySet<number>;
  /**
   * Runs `npm start -- <flags>` from the repository's root, as a user types it: every setting as
   * its flag (`--kafka-broker-ports 1,2,3`), `settings` replacing some (undefined drops the flag),
   * then `args`. `env` is added to the user's environment.
   */
  start(
    args?: readonly string[],
    settings?: Readonly<Record<string, string | undefined>>,
    env?: Readonly<Record<string, string>>,
  ): LabRun;
  /** The supervisor's components (remembering their pids). */
  components(): Promise<ComponentInfo[]>;
  /** Kills anything left, keeps the lab's logs under test-artifacts/<name>, removes the data. */
  destroy(artifactsName: string): Promise<void>;
}

/**
 * A whole local lab for one test file, on free ports and a temp data dir, so that it never
 * collides with `npm start` or another test. Short restart and session timeouts keep faults quick.
 */
export async function createTestLab(): Promise<TestLab> {
  const dataDir = await mkdtemp(join(tmpdir(), "blackout-lab-"));
  // One free block, so that no two of the lab's ports can be the same.
  const base = await consecutiveFreePorts(22);
  const [gateway, control, clients, supervisor, prometheus] = [0, 1, 2, 3, 4].map((i) => base + i);
  const kafkaPorts = [5, 6, 7, 8, 9, 10].map((i) => base + i);
  const url = (port: number | undefined) => `http://127.0.0.1:${port ?? 0}`;
  const urls = {
    control: url(control),
    supervisor: url(supervisor),
    clients: url(clients),
    gateway: url(gateway),
    prometheus: url(prometheus),
    traces: url(base + 17),
  };
  const settings: Record<string, string> = {
    BLACKOUT_DATA_DIR: dataDir,
    KAFKA_BROKER_PORTS: kafkaPorts.slice(0, 3).join(","),
    KAFKA_CONTROLLER_PORTS: kafkaPorts.slice(3).join(","),
    KAFKA_METRICS_PORTS: [19, 20, 21].map((i) => base + i).join(","),
    KAFKA_HEAP_MB: "256",
    PRODUCER_PORT: String(base + 11),
    CONSUMER_PORT: String(base + 13),
    GATEWAY_PORT: String(gateway),
    CONTROL_PORT: String(control),
    CLIENTS_PORT: String(clients),
    SUPERVISOR_PORT: String(supervisor),
    // The tests' bootstrap installs Prometheus (Debian), so the lab runs it.
    PROMETHEUS_PORT: String(prometheus),
    // The tests' bootstrap builds Jaeger, so the lab runs it and every service exports to it.
    TRACES_OTLP_PORT: String(base + 16),
    TRACES_QUERY_PORT: String(base + 17),
    TRACES_QUERY_GRPC_PORT: String(base + 18),
    RESTART_DELAY_MS: "1000",
    // A hard-killed consumer's replacement waits this long for its partitions.
    SESSION_TIMEOUT_MS: "10000",
    // Not the default (200), so that a test sees the flag take effect.
    CLIENTS: "12",
    RATE_PER_SECOND: "20",
  };
  const everyPid = new Set<number>();

  return {
    dataDir,
    settings,
    urls,
    everyPid,
    start(args = [], overrides = {}, env = {}) {
      const flags = Object.entries({ ...settings, ...overrides }).flatMap(([name, value]) =>
        value === undefined ? [] : [`--${name.toLowerCase().replaceAll("_", "-")}`, value],
      );
      // The user's environment (PATH finds npm and java), in a process group of its own as a
      // terminal would run it.
      const lab = spawn("npm", ["start", "--", ...flags, ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      lab.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      lab.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
        lab.once("exit", (code, signal) => resolve(code ?? signal)),
      );
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          if (lab.pid !== undefined) process.kill(-lab.pid, signal);
        } catch {
          // The group is gone already.
        }
      };
      return {
        lab,
        output: () => output,
        exited,
        interrupt: () => signalGroup("SIGINT"),
        kill: () => signalGroup("SIGKILL"),
        async waitUp() {
          await waitFor(
            () => {
              if (lab.exitCode !== null || lab.signalCode !== null)
                throw new Error(`the lab exited:\n${output}`);
              return output.includes("Blackout lab is up.");
            },
            { what: "the lab to come up", timeoutMs: 240_000, intervalMs: 500 },
          );
        },
      };
    },
    async components() {
      const response = await fetch(`${urls.supervisor}/api/components`);
      const list = (await response.json()) as ComponentInfo[];
      for (const c of list) if (c.pid !== undefined) everyPid.add(c.pid);
      return list;
    },
    async destroy(artifactsName) {
      for (const pid of [...everyPid, ...processesMentioning(dataDir)]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone already: what the tests assert anyway.
        }
      }
      // The lab's logs outlive the run, for whoever reads a failure.
      const artifacts = join(artifactsDir, artifactsName);
      await rm(artifacts, { recursive: true, force: true });
      await cp(join(dataDir, "logs"), artifacts, { recursive: true }).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** True while `pid` exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
