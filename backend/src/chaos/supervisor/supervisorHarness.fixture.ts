// For the supervisor's tests: supervisors of supervisedChild.fixture.ts processes that record
// what happened and leave nothing behind.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../lib/waitFor.ts";
import {
  createLocalSupervisor,
  type ComponentKind,
  type ComponentSpec,
  type LocalSupervisor,
  type LocalSupervisorOptions,
  type SupervisorEvent,
} from "./localSupervisor.ts";
import type { LifecycleEventType } from "../../contract/targets.ts";
import { createSupervisorMetrics, type SupervisorMetrics } from "./supervisorMetrics.ts";

const childScript = join(import.meta.dirname, "supervisedChild.fixture.ts");

export interface Harness {
  readonly supervisor: LocalSupervisor;
  /** The supervisor's metrics, as its API serves them. */
  readonly metrics: SupervisorMetrics;
  readonly dir: string;
  /** Every event, in order. */
  readonly events: SupervisorEvent[];
  readonly progress: string[];
  /** Every pid any component ever had (as seen at each event and after each start). */
  readonly pids: Set<number>;
  /** A supervisedChild.fixture.ts component listening on `port`. */
  child(
    name: string,
    port: number,
    options?: { kind?: ComponentKind; env?: Record<string, string> },
  ): ComponentSpec;
  start(names: string[], timeoutMs?: number): Promise<void>;
  /** Resolves with the first event after `afterSeq` matching, or fails after `timeoutMs`. */
  nextEvent(
    target: string,
    type: LifecycleEventType,
    afterSeq?: number,
    timeoutMs?: number,
  ): Promise<SupervisorEvent>;
  /** Stops the supervisor, SIGKILLs any pid still alive, removes the directory. */
  dispose(): Promise<void>;
}

export async function createHarness(
  options: Partial<LocalSupervisorOptions> = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "blackout-supervisor-"));
  const events: SupervisorEvent[] = [];
  const progress: string[] = [];
  const pids = new Set<number>();
  const metrics = createSupervisorMetrics();
  const supervisor = createLocalSupervisor({
    metrics,
    restartDelayMs: 200,
    readyPollMs: 50,
    stopTimeoutMs: 5000,
    onProgress: (line) => progress.push(line),
    ...options,
  });
  const notePids = (): void => {
    for (const component of supervisor.components()) {
      if (component.pid !== undefined) pids.add(component.pid);
    }
  };
  supervisor.onEvent((event) => {
    events.push(event);
    notePids();
  });
  return {
    supervisor,
    metrics,
    dir,
    events,
    progress,
    pids,
    child(name, port, childOptions = {}) {
      return {
        name,
        kind: childOptions.kind ?? "consumer",
        chaos: true,
        command: process.execPath,
        args: [childScript],
        env: { PORT: String(port), ...childOptions.env },
        logFile: join(dir, "logs", `${name}.log`),
        ready: async () =>
          (
            await fetch(`http://127.0.0.1:${port}/readyz`, {
              signal: AbortSignal.timeout(1000),
            })
          ).ok,
      };
    },
    async start(names, timeoutMs = 15_000) {
      try {
        await supervisor.start(names, { timeoutMs });
      } finally {
        notePids();
      }
    },
    nextEvent(target, type, afterSeq = 0, timeoutMs = 10_000) {
      return waitFor(
        () => events.find((e) => e.seq > afterSeq && e.target === target && e.type === type),
        { what: `${type} of ${target} after event ${afterSeq}`, timeoutMs, intervalMs: 20 },
      );
    },
    async dispose() {
      try {
        await supervisor.stop();
      } finally {
        for (const pid of pids) {
          if (isAlive(pid)) process.kill(pid, "SIGKILL");
        }
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The process state letter from /proc (R, S, T for stopped, Z…), undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== "Z";
}

export interface CountedSubscriptions {
  /** The supervisor, but for onEvent, which counts. */
  readonly supervisor: LocalSupervisor;
  /** Event subscriptions held right now: a closed event stream must leave none. */
  readonly count: number;
}

export function countSubscriptions(supervisor: LocalSupervisor): CountedSubscriptions {
  let count = 0;
  return {
    supervisor: {
      ...supervisor,
      onEvent(listener) {
        count += 1;
        const unsubscribe = supervisor.onEvent(listener);
        return () => {
          count -= 1;
          unsubscribe();
        };
      },
    },
    get count() {
      return count;
    },
  };
}
