import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";

const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;

export interface SpawnDetachedOptions {
  /** Where stdout and stderr go (appended); its directory must exist. */
  logFile: string;
  /** The child's whole environment; the parent's when omitted. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/**
 * Spawns a long-running child the way the lab runs its components: in its own process group, so
 * that a Ctrl-C in the terminal reaches only the launcher (which then stops its children itself)
 * and a signal to the group reaches the child's own children too; and, where `setpriv` exists,
 * with a parent-death signal, so that the child does not outlive a launcher that was SIGKILLed
 * (no exit handler runs then). The returned pid is the command's own: setpriv execs it.
 */
export function spawnDetached(
  command: string,
  args: readonly string[],
  options: SpawnDetachedOptions,
): ChildProcess {
  const out = openSync(options.logFile, "a");
  try {
    const [file, argv] = hasSetpriv
      ? ["setpriv", ["--pdeathsig", "KILL", "--", command, ...args]]
      : [command, [...args]];
    return spawn(file, argv, {
      detached: true,
      stdio: ["ignore", out, out],
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
  } finally {
    closeSync(out);
  }
}
