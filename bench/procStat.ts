// CPU time from /proc: per process (utime, stime) and for the whole machine, so that a benchmark
// can say what each component cost over its window and whether something else shared the machine.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export const clockTicks =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

export interface CpuTicks {
  user: number;
  system: number;
}

/** utime and stime of a process, in clock ticks; undefined once it is gone. */
export function cpuTicks(pid: number): CpuTicks | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in parentheses may hold spaces: fields count from after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** A live process's CPU time so far, in ms. */
export function cpuMs(pid: number | undefined): number {
  const ticks = pid === undefined ? undefined : cpuTicks(pid);
  if (ticks === undefined) throw new Error(`no process ${String(pid)} in /proc`);
  return ((ticks.user + ticks.system) * 1000) / clockTicks;
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/);
  const values = fields.filter((field) => field !== "").map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

/** How busy the whole machine was between two readings, 100 % per core. */
export function machineCpuPercent(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  const share = (after.busy - before.busy) / (after.total - before.total);
  return Math.round(share * cpus().length * 1000) / 10;
}

/**
 * Nanoseconds a process's main thread has spent runnable but waiting for a core, from the
 * kernel's schedstat. In Node that thread is the event loop: a request that arrives while it
 * waits is answered that much later, whatever the code costs.
 */
export function runQueueWaitNs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").trim().split(" ");
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/**
 * Microseconds so far in which at least one task on the machine waited for a core (the "some"
 * line of the kernel's CPU pressure), or undefined where the kernel does not report it.
 */
export function cpuPressureUs(): number | undefined {
  try {
    const some = readFileSync("/proc/pressure/cpu", "utf8").split("\n")[0] ?? "";
    const total = /total=(\d+)/.exec(some)?.[1];
    return total === undefined ? undefined : Number(total);
  } catch {
    return undefined;
  }
}

/** A live process's resident memory (VmRSS), in bytes; undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}
