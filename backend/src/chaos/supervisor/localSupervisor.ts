import { createComponentFreezer } from "./componentFreezer.ts";
import { sortComponents } from "./componentOrder.ts";
import { createComponentProcesses } from "./componentProcesses.ts";
import { createComponentReadiness } from "./componentReadiness.ts";
import {
  createCrashLoopBackoff,
  DEFAULT_MAX_RESTART_DELAY_MS,
  DEFAULT_STABLE_MS,
} from "./crashLoopBackoff.ts";
import { TargetStateError, UnknownTargetError } from "../orchestrators/orchestrator.ts";
import { type KillMode, type Target } from "../../contract/targets.ts";
import { signalGroup } from "./signalGroup.ts";
import {
  componentInfo,
  isTargetKind,
  type ComponentInfo,
  type ComponentSpec,
  type Incarnation,
  type SupervisedComponent,
} from "./supervisedComponent.ts";
import { createSupervisorEvents, type SupervisorEvent } from "./supervisorEvents.ts";
import type { SupervisorMetrics } from "./supervisorMetrics.ts";
import { waitReady } from "./waitReady.ts";

export type { ComponentInfo, ComponentKind, ComponentSpec } from "./supervisedComponent.ts";
export { EVENT_BUFFER_SIZE, type SupervisorEvent } from "./supervisorEvents.ts";

export interface LocalSupervisorOptions {
  /**
   * How long a terminated component stays down before its replacement starts; in a crash loop
   * (exits of its own in a row, see crashLoopBackoff.ts) doubled at each exit up to
   * maxRestartDelayMs, never after a kill by the lab.
   */
  restartDelayMs: number;
  /** The longest a crash loop's restart waits. Default 30 s. */
  maxRestartDelayMs?: number;
  /** Ready this long, a component is out of its crash loop. Default 30 s. */
  stableMs?: number;
  /** Restarts by reason and crash-loop backoffs are counted here when given. */
  metrics?: SupervisorMetrics;
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

/**
 * Local mode's kubelet: runs the lab's components as child processes with stable names, restarts
 * any that exits after `restartDelayMs` (as a StatefulSet would; later in a crash loop, as the
 * kubelet's CrashLoopBackOff), watches their readiness, and kills or freezes targets on request.
 */
export function createLocalSupervisor(options: LocalSupervisorOptions): LocalSupervisor {
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  const readyPollMs = options.readyPollMs ?? 250;
  const now = options.now ?? Date.now;
  const progress = options.onProgress ?? (() => undefined);
  const components = new Map<string, SupervisedComponent>();
  /** One entry per start() call: stop() goes through them backwards. */
  const waves: SupervisedComponent[][] = [];
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const events = createSupervisorEvents({ now, progress });
  const readiness = createComponentReadiness({ readyPollMs, now, events });
  const freezer = createComponentFreezer({ events, readiness });
  const backoff = createCrashLoopBackoff({
    restartDelayMs: options.restartDelayMs,
    maxRestartDelayMs: options.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS,
    stableMs: options.stableMs ?? DEFAULT_STABLE_MS,
  });
  const { metrics } = options;
  const processes = createComponentProcesses({
    restartDelayMs: options.restartDelayMs,
    stopTimeoutMs,
    now,
    progress,
    events,
    readiness,
    backoff,
    stopping: () => stopping,
    onRestart: (component, reason) =>
      metrics?.restarts.inc({ component: component.spec.name, reason }),
  });
  const info = (component: SupervisedComponent): ComponentInfo =>
    componentInfo(component, backoff.looping(component, now()));
  metrics?.showBackoffOf(() => [...components.values()].map(info));

  // Last line of defence when the supervisor's process exits without stop(). A SIGKILLed
  // supervisor runs no handler: the parent-death signal of spawnDetached covers that case.
  const killAllNow = (): void => {
    for (const component of components.values()) {
      signalGroup(component.incarnation?.pid, "SIGKILL");
    }
  };
  process.on("exit", killAllNow);

  function thawAll(): string[] {
    const thawed: string[] = [];
    for (const component of sortComponents([...components.values()])) {
      const incarnation = component.incarnation;
      if (incarnation && component.status === "frozen") {
        freezer.thaw(component, incarnation);
        thawed.push(component.spec.name);
      }
    }
    return thawed;
  }

  function target(name: string): SupervisedComponent {
    const component = components.get(name);
    if (!component || !isTargetKind(component.spec.kind)) {
      // In targets()'s order: the supervisor's 404 carries these, and its client names them so.
      const known = sortComponents([...components.values()])
        .filter((c) => isTargetKind(c.spec.kind))
        .map((c) => c.spec.name);
      throw new UnknownTargetError(name, known);
    }
    return component;
  }

  /** The running (or frozen) process of a target, or why there is none. */
  function liveIncarnation(
    component: SupervisedComponent,
    action: string,
  ): Incarnation & { pid: number } {
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
          `its replacement starts within ${component.backoffMs ?? options.restartDelayMs} ms`,
      );
    }
    return incarnation as Incarnation & { pid: number };
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
      await Promise.all(wave.map((component) => processes.stop(component)));
    }
    process.removeListener("exit", killAllNow);
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
        crashes: 0,
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
        processes.spawn(component);
        const pid = component.incarnation?.pid;
        if (pid !== undefined) progress(`${component.spec.name} starting (pid ${pid})`);
      }
      await waitReady(wave, startOptions.timeoutMs ?? 120_000, {
        readyPollMs,
        progress,
        stopping: () => stopping,
      });
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
        freezer.thaw(component, incarnation);
        incarnation.escalateTimer ??= setTimeout(
          () => signalGroup(incarnation.pid, "SIGKILL"),
          stopTimeoutMs,
        );
      }),
    freeze: (name, seconds) =>
      settled(() => {
        const component = target(name);
        freezer.freeze(component, liveIncarnation(component, "freeze"), seconds);
      }),
    thawAll,
    targets() {
      return sortComponents([...components.values()])
        .filter((c) => isTargetKind(c.spec.kind))
        .map((c) => info(c) as Target);
    },
    components() {
      return sortComponents([...components.values()]).map(info);
    },
    onEvent: (listener) => events.onEvent(listener),
    eventsAfter: (after) => events.eventsAfter(after),
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
