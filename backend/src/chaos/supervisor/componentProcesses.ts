import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { spawnDetached } from "../../lib/spawnDetached.ts";
import type { ComponentReadiness } from "./componentReadiness.ts";
import type { CrashLoopBackoff } from "./crashLoopBackoff.ts";
import { signalGroup } from "./signalGroup.ts";
import type { Incarnation, SupervisedComponent } from "./supervisedComponent.ts";
import type { SupervisorEvents } from "./supervisorEvents.ts";

export interface ComponentProcesses {
  /** Starts a new incarnation of the component; one that cannot be spawned is retried later. */
  spawn(component: SupervisedComponent): void;
  /** SIGTERM, SIGKILL after stopTimeoutMs; resolves once the incarnation has exited. */
  stop(component: SupervisedComponent): Promise<void>;
}

/**
 * Why a component was restarted: `killed` by the lab (a fault, through the supervisor), or
 * `exited` of its own (a crash, a signal from outside the lab, a failed spawn).
 */
export type RestartReason = "killed" | "exited";

/**
 * The per-child lifecycle, as a StatefulSet's kubelet has it: spawn in its own process group,
 * started and terminated events, readiness polled while it runs, and after any exit a
 * replacement `restartDelayMs` later (longer in a crash loop, see crashLoopBackoff.ts), unless the
 * supervisor is stopping.
 */
export function createComponentProcesses(options: {
  readonly restartDelayMs: number;
  readonly stopTimeoutMs: number;
  readonly now: () => number;
  readonly progress: (line: string) => void;
  readonly events: SupervisorEvents;
  readonly readiness: ComponentReadiness;
  readonly backoff: CrashLoopBackoff;
  readonly stopping: () => boolean;
  /** Called as each replacement is spawned. */
  readonly onRestart?: (component: SupervisedComponent, reason: RestartReason) => void;
}): ComponentProcesses {
  const { events, readiness, progress, now, stopping } = options;

  function spawn(component: SupervisedComponent): void {
    const { spec } = component;
    let child: ChildProcess;
    try {
      mkdirSync(dirname(spec.logFile), { recursive: true });
      child = spawnDetached(spec.command, spec.args, {
        logFile: spec.logFile,
        env: spec.env,
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      });
    } catch (error) {
      component.lastExit = `could not be spawned: ${messageOf(error)}`;
      const delayMs = options.backoff.restartDelay(component, now(), false);
      progress(`${spec.name} ${component.lastExit}; ${restartNote(component, delayMs)}`);
      scheduleRestart(component, delayMs, "exited");
      return;
    }
    let markExited = (): void => undefined;
    const incarnation: Incarnation = {
      child,
      pid: child.pid,
      exited: new Promise((resolve) => (markExited = resolve)),
      killedByUs: false,
      generation: 0,
    };
    component.incarnation = incarnation;
    let done = false;
    const onExit = (detail: string): void => {
      if (done) return;
      done = true;
      // Before its ready state is cleared: how long it was up decides whether it is looping.
      const delayMs = options.backoff.restartDelay(component, now(), incarnation.killedByUs);
      clearTimeout(incarnation.pollTimer);
      clearTimeout(incarnation.thawTimer);
      clearTimeout(incarnation.escalateTimer);
      // Whatever the component left in its group (a child of its own) must not hold its port
      // against the replacement.
      signalGroup(incarnation.pid, "SIGKILL");
      // Listeners that track readiness see every ready target become unready, whether a poll
      // noticed the death first or not.
      readiness.set(component, false);
      component.incarnation = undefined;
      component.status = "stopped";
      component.startedAt = undefined;
      component.readySince = undefined;
      component.lastExit = detail;
      if (incarnation.pid !== undefined) {
        events.emit(component, "terminated", { byUs: incarnation.killedByUs, detail });
      }
      markExited();
      if (stopping()) return;
      progress(
        incarnation.killedByUs
          ? `${spec.name} terminated (${detail}); restarting in ${delayMs} ms`
          : `${spec.name} exited unexpectedly (${detail}); ${restartNote(component, delayMs)}; see ${spec.logFile}`,
      );
      scheduleRestart(component, delayMs, incarnation.killedByUs ? "killed" : "exited");
    };
    child.once("exit", (code, signal) =>
      onExit(signal !== null ? `signal ${signal}` : `exit code ${code ?? "?"}`),
    );
    // Without setpriv, a missing command is an "error" with no pid and possibly no "exit".
    child.once("error", (error) => {
      if (incarnation.pid === undefined) onExit(`failed to start: ${error.message}`);
    });
    if (incarnation.pid === undefined) return;
    component.status = "running";
    component.ready = false;
    component.startedAt = now();
    component.readySince = undefined;
    events.emit(component, "started", { detail: `pid ${incarnation.pid}` });
    readiness.poll(component, incarnation);
  }

  /** How a restart after an exit of its own is announced; a backed-off one is a crash-loop event too. */
  function restartNote(component: SupervisedComponent, delayMs: number): string {
    if (delayMs <= options.restartDelayMs) return `restarting in ${delayMs} ms`;
    const detail = `${component.crashes} exits in a row, each before it stayed ready; restarting in ${delayMs} ms`;
    events.emit(component, "crash-loop", { detail });
    return `crash loop (${detail}, backed off from ${options.restartDelayMs} ms)`;
  }

  function scheduleRestart(
    component: SupervisedComponent,
    delayMs: number,
    reason: RestartReason,
  ): void {
    if (stopping()) return;
    component.restartTimer = setTimeout(() => {
      component.restartTimer = undefined;
      if (stopping()) return;
      component.restarts += 1;
      options.onRestart?.(component, reason);
      spawn(component);
      const pid = component.incarnation?.pid;
      if (pid !== undefined) progress(`${component.spec.name} restarted (pid ${pid})`);
    }, delayMs);
  }

  return {
    spawn,
    stop(component) {
      const incarnation = component.incarnation;
      if (!incarnation) return Promise.resolve();
      incarnation.killedByUs = true;
      signalGroup(incarnation.pid, "SIGTERM");
      incarnation.escalateTimer ??= setTimeout(
        () => signalGroup(incarnation.pid, "SIGKILL"),
        options.stopTimeoutMs,
      );
      return incarnation.exited;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
