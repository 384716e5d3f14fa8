import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnDetached } from "../lib/spawnDetached.ts";
import { TargetStateError, UnknownTargetError } from "./orchestrator.ts";
import { type LifecycleEvent, type LifecycleEventType } from "../contract/targets.ts";
import {
  TARGET_KINDS,
  type KillMode,
  type Target,
  type TargetKind,
  type TargetStatus,
} from "../contract/targets.ts";

/** A target kind, or "service": supervised and restarted, but never a chaos target. */
export type ComponentKind = TargetKind | "service";

export interface ComponentSpec {
  /** Stable identity across restarts, like a StatefulSet pod name: `consumer-0`. */
  name: string;
  kind: ComponentKind;
  chaos: boolean;
  command: string;
  args: string[];
  /** The child's whole environment: PATH and the like only when the caller puts them here. */
  env: Record<string, string>;
  cwd?: string;
  /** stdout and stderr are appended here, across restarts. */
  logFile: string;
  /** One readiness check. A thrown error counts as not ready; it must bound its own time. */
  ready: () => Promise<boolean>;
  nodeId?: number;
}

/** A component as `targets()` shows it, services included. */
export interface ComponentInfo extends Omit<Target, "kind"> {
  readonly kind: ComponentKind;
}

/** A lifecycle event with its place in the supervisor's event log, for replay after a reconnect. */
export interface SupervisorEvent extends LifecycleEvent {
  readonly seq: number;
}

export interface LocalSupervisorOptions {
  /** How long a terminated component stays down before its replacement starts. */
  restartDelayMs: number;
  /** How long a graceful kill (and stop()) may take before SIGKILL. Default 20 s. */
  stopTimeoutMs?: number;
  /** Readiness check interval. Default 250 ms. */
  readyPollMs?: number;
  now?: () => number;
  onProgress?: (line: string) => void;
}

export interface StartOptions {
  /** How long start() waits for readiness. Default 120 s. */
  timeoutMs?: number;
}

export interface LocalSupervisor {
  /** Registers a component; start() runs it. */
  add(spec: ComponentSpec): void;
  /** Spawns these components and resolves once every one of them is ready. */
  start(names: readonly string[], options?: StartOptions): Promise<void>;
  /**
   * graceful: SIGTERM to the process group, SIGKILL after stopTimeoutMs; hard: SIGKILL. Resolves
   * once the signal is sent. Rejects with UnknownTargetError for an unknown name or a service,
   * and with TargetStateError while the target is not running.
   */
  kill(name: string, mode: KillMode): Promise<void>;
  /** SIGSTOP now, SIGCONT after `seconds`. */
  freeze(name: string, seconds: number): Promise<void>;
  /** Thaws every frozen target now; answers their names. */
  thawAll(): string[];
  /** Chaos kinds only, by kind (brokers, producers, consumers) then name. */
  targets(): Target[];
  /** Every component, services last. */
  components(): ComponentInfo[];
  /** Lifecycle events of targets (services have none); returns the unsubscribe function. */
  onEvent(listener: (event: SupervisorEvent) => void): () => void;
  /** Buffered events (the last EVENT_BUFFER_SIZE) with a seq above `seq`, oldest first. */
  eventsAfter(seq: number): SupervisorEvent[];
  /**
   * No more restarts; thaws frozen components, then stops them in the reverse order of their
   * start() calls (SIGTERM, SIGKILL after stopTimeoutMs). Resolves once every child has exited.
   */
  stop(): Promise<void>;
}

export const EVENT_BUFFER_SIZE = 1000;

const KIND_ORDER: readonly ComponentKind[] = [...TARGET_KINDS, "service"];
// setTimeout fires at once (with a warning) beyond this.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Incarnation {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
  killedByUs: boolean;
  /** Bumped whenever a readiness result in flight would be stale (frozen, thawed). */
  generation: number;
  pollTimer?: NodeJS.Timeout;
  thawTimer?: NodeJS.Timeout;
  escalateTimer?: NodeJS.Timeout;
}

interface Component {
  readonly spec: ComponentSpec;
  started: boolean;
  status: TargetStatus;
  ready: boolean;
  restarts: number;
  startedAt?: number;
  readySince?: number;
  lastExit?: string;
  incarnation?: Incarnation;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Local mode's kubelet: runs the lab's components as child processes with stable names, restarts
 * any that exits after `restartDelayMs` (as a StatefulSet would), watches their readiness, and
 * kills or freezes targets on request.
 */
export function createLocalSupervisor(options: LocalSupervisorOptions): LocalSupervisor {
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  const readyPollMs = options.readyPollMs ?? 250;
  const now = options.now ?? Date.now;
  const progress = options.onProgress ?? (() => undefined);
  const components = new Map<string, Component>();
  /** One entry per start() call: stop() goes through them backwards. */
  const waves: Component[][] = [];
  const listeners = new Set<(event: SupervisorEvent) => void>();
  const events: SupervisorEvent[] = [];
  let seq = 0;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  // Last line of defence when the supervisor's process exits without stop(). A SIGKILLed
  // supervisor runs no handler: the parent-death signal of spawnDetached covers that case.
  const killAllNow = (): void => {
    for (const component of components.values()) {
      signalGroup(component.incarnation?.pid, "SIGKILL");
    }
  };
  process.on("exit", killAllNow);

  function emit(
    component: Component,
    type: LifecycleEventType,
    extra: { byUs?: boolean; detail?: string } = {},
  ): void {
    const { kind, name } = component.spec;
    if (!isTargetKind(kind)) return;
    const event: SupervisorEvent = { seq: ++seq, type, target: name, kind, at: now(), ...extra };
    events.push(event);
    if (events.length > EVENT_BUFFER_SIZE) events.shift();
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        progress(`a lifecycle event listener failed: ${messageOf(error)}`);
      }
    }
  }

  function spawnIncarnation(component: Component): void {
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
      progress(`${spec.name} ${component.lastExit}`);
      scheduleRestart(component);
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
      clearTimeout(incarnation.pollTimer);
      clearTimeout(incarnation.thawTimer);
      clearTimeout(incarnation.escalateTimer);
      // Whatever the component left in its group (a child of its own) must not hold its port
      // against the replacement.
      signalGroup(incarnation.pid, "SIGKILL");
      // Listeners that track readiness see every ready target become unready, whether a poll
      // noticed the death first or not.
      setReady(component, false);
      component.incarnation = undefined;
      component.status = "stopped";
      component.startedAt = undefined;
      component.readySince = undefined;
      component.lastExit = detail;
      if (incarnation.pid !== undefined) {
        emit(component, "terminated", { byUs: incarnation.killedByUs, detail });
      }
      markExited();
      if (stopping) return;
      progress(
        incarnation.killedByUs
          ? `${spec.name} terminated (${detail}); restarting in ${options.restartDelayMs} ms`
          : `${spec.name} exited unexpectedly (${detail}); restarting in ${options.restartDelayMs} ms; see ${spec.logFile}`,
      );
      scheduleRestart(component);
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
    emit(component, "started", { detail: `pid ${incarnation.pid}` });
    schedulePoll(component, incarnation);
  }

  function scheduleRestart(component: Component): void {
    if (stopping) return;
    component.restartTimer = setTimeout(() => {
      component.restartTimer = undefined;
      if (stopping) return;
      component.restarts += 1;
      spawnIncarnation(component);
      const pid = component.incarnation?.pid;
      if (pid !== undefined) progress(`${component.spec.name} restarted (pid ${pid})`);
    }, options.restartDelayMs);
  }

  function schedulePoll(component: Component, incarnation: Incarnation): void {
    const generation = incarnation.generation;
    const current = (): boolean =>
      component.incarnation === incarnation &&
      incarnation.generation === generation &&
      component.status === "running";
    incarnation.pollTimer = setTimeout(() => {
      incarnation.pollTimer = undefined;
      // Through a promise, so that even a check that throws before returning one counts as "not
      // ready" rather than an uncaught exception.
      void Promise.resolve()
        .then(() => component.spec.ready())
        .catch(() => false)
        .then((ready) => {
          if (!current()) return;
          setReady(component, ready);
          schedulePoll(component, incarnation);
        });
    }, readyPollMs);
  }

  function setReady(component: Component, ready: boolean): void {
    if (ready === component.ready) return;
    component.ready = ready;
    if (ready) component.readySince = now();
    emit(component, ready ? "ready" : "unready");
  }

  function thaw(component: Component, incarnation: Incarnation): void {
    if (component.incarnation !== incarnation || component.status !== "frozen") return;
    clearTimeout(incarnation.thawTimer);
    incarnation.thawTimer = undefined;
    signalGroup(incarnation.pid, "SIGCONT");
    component.status = "running";
    incarnation.generation += 1;
    emit(component, "thawed");
    schedulePoll(component, incarnation);
  }

  function thawAll(): string[] {
    const thawed: string[] = [];
    for (const component of sorted([...components.values()])) {
      const incarnation = component.incarnation;
      if (incarnation && component.status === "frozen") {
        thaw(component, incarnation);
        thawed.push(component.spec.name);
      }
    }
    return thawed;
  }

  function target(name: string): Component {
    const component = components.get(name);
    if (!component || !isTargetKind(component.spec.kind)) {
      // In targets()'s order: the supervisor's 404 carries these, and its client names them so.
      const known = sorted([...components.values()])
        .filter((c) => isTargetKind(c.spec.kind))
        .map((c) => c.spec.name);
      throw new UnknownTargetError(name, known);
    }
    return component;
  }

  /** The running (or frozen) process of a target, or why there is none. */
  function liveIncarnation(component: Component, action: string): Incarnation & { pid: number } {
    const { name } = component.spec;
    const incarnation = component.incarnation;
    if (stopping) throw new TargetStateError(name, `cannot ${action} ${name}: the lab is stopping`);
    if (!component.started) {
      throw new TargetStateError(name, `cannot ${action} ${name}: it has not been started`);
    }
    if (incarnation?.pid === undefined) {
      throw new TargetStateError(
        name,
        `cannot ${action} ${name}: it is not running (${component.lastExit ?? "stopped"}); ` +
          `its replacement starts within ${options.restartDelayMs} ms`,
      );
    }
    return incarnation as Incarnation & { pid: number };
  }

  function stopOne(component: Component): Promise<void> {
    const incarnation = component.incarnation;
    if (!incarnation) return Promise.resolve();
    incarnation.killedByUs = true;
    signalGroup(incarnation.pid, "SIGTERM");
    incarnation.escalateTimer ??= setTimeout(
      () => signalGroup(incarnation.pid, "SIGKILL"),
      stopTimeoutMs,
    );
    return incarnation.exited;
  }

  async function stopAll(): Promise<void> {
    stopping = true;
    for (const component of components.values()) {
      clearTimeout(component.restartTimer);
      component.restartTimer = undefined;
    }
    // A stopped process would not act on its SIGTERM.
    thawAll();
    for (const wave of [...waves].reverse()) {
      await Promise.all(wave.map(stopOne));
    }
    process.removeListener("exit", killAllNow);
  }

  async function waitReady(wave: Component[], timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const announced = new Set<Component>();
    for (;;) {
      for (const component of wave) {
        if (component.ready && !announced.has(component)) {
          announced.add(component);
          progress(`${component.spec.name} ready`);
        }
      }
      if (wave.every((c) => c.ready)) return;
      const waiting = wave.filter((c) => !c.ready);
      if (stopping) {
        throw new Error(
          `the supervisor stopped before ${waiting.map((c) => c.spec.name).join(", ")} became ready`,
        );
      }
      if (performance.now() >= deadline) {
        throw new Error(
          waiting
            .map((c) => {
              const exits = c.restarts > 0 ? `, restarted ${c.restarts} times` : "";
              const last = c.lastExit !== undefined ? `, last exit: ${c.lastExit}` : "";
              return `${c.spec.name} not ready after ${timeoutMs} ms (${c.status}${exits}${last}); see ${c.spec.logFile}`;
            })
            .join("; "),
        );
      }
      await sleep(readyPollMs);
    }
  }

  function info(component: Component): ComponentInfo {
    const { spec } = component;
    return {
      name: spec.name,
      kind: spec.kind,
      status: component.status,
      ready: component.ready,
      chaos: spec.chaos,
      restarts: component.restarts,
      startedAt: component.startedAt,
      readySince: component.readySince,
      pid: component.incarnation?.pid,
      nodeId: spec.nodeId,
    };
  }

  return {
    add(spec) {
      if (stopping) throw new Error(`cannot add ${spec.name}: the supervisor is stopping`);
      if (components.has(spec.name)) throw new Error(`a component named ${spec.name} exists`);
      components.set(spec.name, {
        spec,
        started: false,
        status: "stopped",
        ready: false,
        restarts: 0,
      });
    },
    async start(names, startOptions = {}) {
      if (stopping) throw new Error("the supervisor is stopping");
      const wave = names.map((name) => {
        const component = components.get(name);
        if (!component) throw new Error(`no component ${name}; add() it first`);
        if (component.started) throw new Error(`${name} was started already`);
        return component;
      });
      waves.push(wave);
      for (const component of wave) {
        component.started = true;
        spawnIncarnation(component);
        const pid = component.incarnation?.pid;
        if (pid !== undefined) progress(`${component.spec.name} starting (pid ${pid})`);
      }
      await waitReady(wave, startOptions.timeoutMs ?? 120_000);
    },
    kill: (name, mode) =>
      settled(() => {
        const component = target(name);
        const incarnation = liveIncarnation(component, "kill");
        incarnation.killedByUs = true;
        if (mode === "hard") {
          signalGroup(incarnation.pid, "SIGKILL");
          return;
        }
        signalGroup(incarnation.pid, "SIGTERM");
        // A stopped process would only act on its SIGTERM once continued.
        thaw(component, incarnation);
        incarnation.escalateTimer ??= setTimeout(
          () => signalGroup(incarnation.pid, "SIGKILL"),
          stopTimeoutMs,
        );
      }),
    freeze: (name, seconds) =>
      settled(() => {
        const component = target(name);
        const incarnation = liveIncarnation(component, "freeze");
        const ms = seconds * 1000;
        if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
          throw new RangeError(`freeze seconds must be above 0 and at most ${MAX_TIMER_MS / 1000}`);
        }
        if (component.status === "frozen") {
          throw new TargetStateError(name, `cannot freeze ${name}: it is frozen already`);
        }
        signalGroup(incarnation.pid, "SIGSTOP");
        component.status = "frozen";
        incarnation.generation += 1;
        clearTimeout(incarnation.pollTimer);
        emit(component, "frozen", { detail: `for ${seconds} s` });
        setReady(component, false);
        incarnation.thawTimer = setTimeout(() => thaw(component, incarnation), ms);
      }),
    thawAll,
    targets() {
      return sorted([...components.values()])
        .filter((c) => isTargetKind(c.spec.kind))
        .map((c) => info(c) as Target);
    },
    components() {
      return sorted([...components.values()]).map(info);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    eventsAfter(after) {
      return events.filter((event) => event.seq > after);
    },
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
}

/** Runs `action` now; its throw becomes the promise's rejection. */
function settled(action: () => void): Promise<void> {
  return new Promise((resolve) => {
    action();
    resolve();
  });
}

function isTargetKind(kind: ComponentKind): kind is TargetKind {
  return kind !== "service";
}

function sorted(components: Component[]): Component[] {
  return components.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.spec.kind) - KIND_ORDER.indexOf(b.spec.kind) ||
      compareNames(a.spec.name, b.spec.name),
  );
}

/** consumer-2 before consumer-10. */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Signals a component's whole process group; one that is gone already is what we wanted. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has exited.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
