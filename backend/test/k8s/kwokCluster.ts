import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeBinaries } from "../../src/kube/kubeBinaries.ts";
import { environmentWith, type Env } from "../../src/lib/config.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { processesMentioning } from "../support/processes.ts";

export interface KwokCluster {
  /** A kubeconfig with the cluster admin's context, current. */
  readonly kubeconfig: string;
  readonly workDir: string;
  /** kubectl against this cluster; rejects with its output unless it exits 0. */
  kubectl(args: readonly string[], options?: { input?: string }): Promise<string>;
  /** The same, resolving with the exit code too (for `auth can-i`, which exits 1 for "no"). */
  kubectlStatus(args: readonly string[]): Promise<CommandResult>;
  /** Stops every process of the cluster and removes its files, even after a failed start. */
  destroy(): Promise<void>;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr as they came. */
  readonly output: string;
}

/** Runs a command to its end, in its own process group (a timeout kills all of it). */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: Env; input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(options.env === undefined ? {} : { env: options.env }),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? 1 : 128), stdout, output });
    });
    // A command that exits without reading its input (kubectl refusing its arguments) is no error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/**
 * A real control plane on this machine: etcd, kube-apiserver (RBAC and admission on),
 * kube-controller-manager and kube-scheduler from the binaries built under k8s/build, started by
 * `kwokctl --runtime binary`, with kwok's controller playing the kubelet of fake nodes. Every
 * port is picked below the ephemeral range, like the other test clusters'. Nothing outside the
 * cluster's own temporary directory is touched (KWOK_WORKDIR).
 */
export async function startKwokCluster(binaries: KubeBinaries): Promise<KwokCluster> {
  await sweepAbandoned();
  const workDir = await mkdtemp(join(tmpdir(), WORK_DIR_PREFIX));
  await writeFile(join(workDir, "owner"), String(process.pid));
  const name = "blackout";
  const kubeconfig = join(workDir, "kubeconfig");
  const [apiserver, etcd, etcdPeer, controllerManager, scheduler, kwokController] =
    await freePorts(6);
  const configFile = join(workDir, "kwokctl.yaml");
  await writeFile(
    configFile,
    JSON.stringify({
      apiVersion: "config.kwok.x-k8s.io/v1alpha1",
      kind: "KwokctlConfiguration",
      options: {
        runtime: "binary",
        kubeVersion: binaries.kubernetesVersion,
        quietPull: true,
        kubeAuthorization: true,
        kubeAdmission: true,
        kubeApiserverPort: apiserver,
        etcdPort: etcd,
        etcdPeerPort: etcdPeer,
        kubeControllerManagerPort: controllerManager,
        kubeSchedulerPort: scheduler,
        kwokControllerPort: kwokController,
        kubeApiserverBinary: binaries.kubeApiserver,
        kubeControllerManagerBinary: binaries.kubeControllerManager,
        kubeSchedulerBinary: binaries.kubeScheduler,
        kubectlBinary: binaries.kubectl,
        kwokControllerBinary: binaries.kwok,
        etcdBinary: binaries.etcd,
        cacheDir: join(workDir, "cache"),
      },
    }),
  );
  const env = environmentWith({ KWOK_WORKDIR: workDir });
  const kwokctl = (args: readonly string[], timeoutMs = 180_000) =>
    run(binaries.kwokctl, ["--name", name, "--config", configFile, ...args], { env, timeoutMs });

  const destroy = async (): Promise<void> => {
    await kwokctl(["delete", "cluster", "--kubeconfig", kubeconfig], 60_000).catch(() => undefined);
    // Whatever survived (a start that failed halfway, a kwokctl that was killed): every process
    // of this cluster names its directory on its command line.
    for (const pid of [...(await pidFiles(workDir)), ...processesMentioning(workDir)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await rm(workDir, { recursive: true, force: true });
  };

  const kubectlStatus = async (args: readonly string[], input?: string) =>
    run(binaries.kubectl, ["--kubeconfig", kubeconfig, ...args], {
      ...(input === undefined ? {} : { input }),
    });
  try {
    const created = await kwokctl([
      "create",
      "cluster",
      "--kubeconfig",
      kubeconfig,
      "--wait",
      "2m",
    ]);
    if (created.code !== 0) {
      throw new Error(`kwokctl create cluster failed (exit ${created.code}):\n${created.output}`);
    }
  } catch (error) {
    const logs = await componentLogs(workDir);
    await destroy();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, {
      cause: error,
    });
  }
  return {
    kubeconfig,
    workDir,
    async kubectl(args, options = {}) {
      const { code, output } = await kubectlStatus(args, options.input);
      if (code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${code}:\n${output}`);
      return output;
    },
    kubectlStatus: (args) => kubectlStatus(args),
    destroy,
  };
}

const WORK_DIR_PREFIX = "blackout-kwok-";

/**
 * kwokctl's components outlive a test process that was killed before its afterAll ran (they are
 * daemons, not its children): stop those of any cluster whose owner is gone, and nothing of a
 * cluster another test run still owns.
 */
async function sweepAbandoned(): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(WORK_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number(await readFile(join(dir, "owner"), "utf8").catch(() => ""));
    if (Number.isInteger(owner) && owner > 0 ? isAlive(owner) : await isRecent(dir)) continue;
    for (const pid of [...(await pidFiles(dir)), ...processesMentioning(dir)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A directory without an owner yet may be a cluster being created this very moment. */
async function isRecent(dir: string): Promise<boolean> {
  return Date.now() - (await stat(dir)).mtimeMs < 60_000;
}

/** The pids kwokctl wrote for the components it started. */
async function pidFiles(workDir: string): Promise<number[]> {
  const dir = join(workDir, "clusters", "blackout", "pids");
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const file of await readdir(dir)) {
    const pid = Number((await readFile(join(dir, file), "utf8")).trim());
    if (Number.isInteger(pid) && pid > 1) pids.push(pid);
  }
  return pids;
}

/** The tail of each component's log, for a start that failed. */
async function componentLogs(workDir: string): Promise<string> {
  const dir = join(workDir, "clusters", "blackout", "logs");
  if (!existsSync(dir)) return "(no component logs)";
  const parts: string[] = [];
  for (const file of await readdir(dir)) {
    const text = await readFile(join(dir, file), "utf8");
    parts.push(`--- ${file} (last lines)\n${text.split("\n").slice(-15).join("\n")}`);
  }
  return parts.join("\n");
}
