import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/logger.ts";
import { PodApiError, type PodApi, type PodWatchEvent } from "./kubePodApi.ts";
import { TargetStateError, UnknownTargetError, type Orchestrator } from "./orchestrator.ts";
import { type LifecycleEvent, type LifecycleEventType } from "../../contract/targets.ts";
import { type KillMode, type Target, type TargetKind } from "../../contract/targets.ts";
import type { PodSnapshot } from "./podSnapshot.ts";

/**
 * Freeze and thaw, run in the target's container. Every process but PID 1 and the caller: the
 * manifests give chaos targets `shareProcessNamespace: true`, so PID 1 is the pod's pause
 * process and the service is an ordinary process that SIGSTOP reaches. (Were the service PID 1
 * of its own namespace, the kernel would drop a SIGSTOP sent from inside it.)
 */
export const FREEZE_COMMAND = ["sh", "-c", "kill -STOP -1"] as const;
export const THAW_COMMAND = ["sh", "-c", "kill -CONT -1"] as const;

export interface KubernetesOrchestratorOptions {
  readonly api: PodApi;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Wait before listing and watching again after the watch failed. */
  readonly reconnectDelayMs?: number;
  /**
   * A pod deleted without a replacement in sight stays listed as stopped for this long (a
   * StatefulSet recreates its pods within it; a scaled-down pod then drops out at the next list).
   */
  readonly placeholderMs?: number;
}

/** One name's current incarnation, or (pod undefined) the gap before its replacement. */
interface PodRecord {
  readonly name: string;
  readonly kind: TargetKind;
  pod: PodSnapshot | undefined;
  /** This incarnation's termination was reported already. */
  terminated: boolean;
  running: boolean;
  ready: boolean;
  readySince: number | undefined;
  restarts: number;
  restartCount: number;
  deletedAt: number | undefined;
}

/**
 * The `kubernetes` orchestrator (DESIGN §1 Faults): targets are the pods in one namespace that
 * carry the lab's labels; kill deletes a pod (its grace period, or 0 for hard), freeze runs SIGSTOP
 * through exec and SIGCONT after the given seconds. One list-then-watch of the namespace keeps the
 * picture current and turns pod deletions (ours or anyone's), replacements, container restarts and
 * readiness changes into lifecycle events. When the watch ends (the server closes idle watches,
 * the network drops, the resource version expires) it lists again, derives the events it missed
 * from the difference, and watches from there.
 */
export function createKubernetesOrchestrator(options: KubernetesOrchestratorOptions): Orchestrator {
  const { api, logger } = options;
  const now = options.now ?? Date.now;
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  const placeholderMs = options.placeholderMs ?? 60_000;
  const records = new Map<string, PodRecord>();
  const listeners = new Set<(event: LifecycleEvent) => void>();
  /** Incarnations this orchestrator deleted, by uid: their termination is `byUs`. */
  const deletedByUs = new Map<string, KillMode>();
  const frozen = new Map<string, { uid: string; timer: NodeJS.Timeout }>();
  const closing = new AbortController();
  let currentWatch: { stop(): void } | undefined;
  let firstSync: Promise<void> | undefined;
  let following: Promise<void> | undefined;

  function emit(
    record: PodRecord,
    type: LifecycleEventType,
    at: number,
    extra: Partial<LifecycleEvent> = {},
  ): void {
    const event: LifecycleEvent = { type, target: record.name, kind: record.kind, at, ...extra };
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's failure is its own; the others still get the event.
      }
    }
  }

  function terminate(record: PodRecord, at: number, how: string): void {
    if (record.terminated || record.pod === undefined) return;
    record.terminated = true;
    const uid = record.pod.uid;
    const mode = deletedByUs.get(uid);
    deletedByUs.delete(uid);
    const grace = mode === "hard" ? 0 : record.pod.deletionGraceSeconds;
    // The tracker reads the kill mode from the signal named in the detail.
    const signal = grace === 0 ? "SIGKILL" : grace === undefined ? undefined : "SIGTERM";
    const detail = `${how}${grace === undefined ? "" : ` (grace period ${grace} s: ${signal})`}`;
    if (record.ready) emit(record, "unready", at);
    record.ready = false;
    record.running = false;
    emit(record, "terminated", at, { byUs: mode !== undefined, detail });
  }

  /**
   * Brings one pod's record up to date. `live`: seen in a watch event as it happened, so `at`
   * is when it changed; otherwise found by a list, where the pod's own timestamps say more.
   */
  function update(pod: PodSnapshot, at: number, live: boolean, initial: boolean): void {
    if (pod.kind === undefined) return;
    let record = records.get(pod.name);
    if (record !== undefined && record.pod !== undefined && record.pod.uid !== pod.uid) {
      // A replacement while the deletion went unseen (the watch was down).
      terminate(record, at, "pod replaced");
    }
    if (record === undefined || record.pod?.uid !== pod.uid) {
      const known = record;
      record = {
        name: pod.name,
        kind: pod.kind,
        pod,
        terminated: false,
        running: initial && pod.phase === "Running",
        ready: initial && pod.ready,
        readySince: initial && pod.ready ? pod.readyChangedAt : undefined,
        restarts: known === undefined ? 0 : known.restarts + 1,
        restartCount: pod.restartCount,
        deletedAt: undefined,
      };
      records.set(pod.name, record);
    }
    record.pod = pod;
    if (pod.deleting) {
      terminate(record, at, "pod deleted");
      return;
    }
    if (pod.restartCount > record.restartCount) {
      record.restartCount = pod.restartCount;
      if (record.ready) emit(record, "unready", at);
      record.ready = false;
      emit(record, "terminated", pod.lastTermination?.at ?? at, {
        byUs: false,
        detail: pod.lastTermination?.detail ?? "container restarted",
      });
      record.running = false;
    }
    const running = pod.phase === "Running" && pod.startedAt !== undefined;
    if (running && !record.running) emit(record, "started", live ? at : (pod.startedAt ?? at));
    record.running = running;
    if (pod.ready !== record.ready) {
      const when = live ? at : (pod.readyChangedAt ?? at);
      record.ready = pod.ready;
      if (pod.ready) record.readySince = when;
      emit(record, pod.ready ? "ready" : "unready", when);
    }
  }

  function remove(pod: PodSnapshot, at: number): void {
    const record = records.get(pod.name);
    if (record === undefined || record.pod?.uid !== pod.uid) return;
    terminate(record, at, "pod deleted");
    record.pod = undefined;
    record.deletedAt = at;
    if (!pod.replaced) records.delete(pod.name);
  }

  function onWatchEvent(event: PodWatchEvent): void {
    const at = now();
    if (event.type === "DELETED") remove(event.pod, at);
    else update(event.pod, at, true, false);
  }

  /** A full list: every difference from what was known becomes the events a watch would have sent. */
  async function sync(initial: boolean): Promise<string> {
    const { pods, resourceVersion } = await api.list();
    const at = now();
    const listed = new Set(pods.map((pod) => pod.name));
    for (const pod of pods) update(pod, at, false, initial);
    for (const record of [...records.values()]) {
      if (listed.has(record.name)) continue;
      if (record.pod !== undefined) {
        remove(record.pod, at);
      } else if (record.deletedAt !== undefined && at - record.deletedAt >= placeholderMs) {
        records.delete(record.name);
      }
    }
    return resourceVersion;
  }

  async function follow(firstResourceVersion: string): Promise<void> {
    const signal = closing.signal;
    let resourceVersion: string | undefined = firstResourceVersion;
    while (!signal.aborted) {
      let failure: Error | undefined;
      try {
        resourceVersion ??= await sync(false);
        const watch = await api.watch(resourceVersion, onWatchEvent);
        currentWatch = watch;
        if (signal.aborted) watch.stop();
        failure = await watch.ended;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      currentWatch = undefined;
      resourceVersion = undefined;
      if (signal.aborted) break;
      if (failure !== undefined && !isIdleTimeout(failure)) {
        logger.warn({ err: failure, server: api.server }, "pod watch ended; listing again");
        await sleep(reconnectDelayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** The first list, then the watch in the background; every call waits for the first list. */
  function synced(): Promise<void> {
    firstSync ??= sync(true).then(
      (resourceVersion) => {
        following = follow(resourceVersion);
      },
      (error: unknown) => {
        firstSync = undefined;
        throw error;
      },
    );
    return firstSync;
  }

  function target(record: PodRecord): Target {
    const pod = record.pod;
    const stopped = pod === undefined || pod.deleting || !record.running;
    const isFrozen = !stopped && frozen.get(record.name)?.uid === pod.uid;
    const startedAt = stopped ? undefined : pod.startedAt;
    return {
      name: record.name,
      kind: record.kind,
      status: stopped ? "stopped" : isFrozen ? "frozen" : "running",
      ready: !stopped && !isFrozen && record.ready,
      chaos: pod?.chaos ?? false,
      restarts: record.restarts,
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(!stopped && record.ready && record.readySince !== undefined
        ? { readySince: record.readySince }
        : {}),
      ...(record.kind === "broker" && pod?.ordinal !== undefined ? { nodeId: pod.ordinal } : {}),
    };
  }

  /** The running incarnation of a target a fault may act on, or the reason it may not. */
  function victim(name: string): { record: PodRecord; pod: PodSnapshot } {
    const record = records.get(name);
    if (record === undefined) throw new UnknownTargetError(name, [...records.keys()].sort());
    const pod = record.pod;
    if (pod === undefined || pod.deleting || !record.running) {
      throw new TargetStateError(name, `${name} is not running (its pod is being replaced)`);
    }
    // The tracker's guard refuses these first; the orchestrator holds the line on its own too.
    if (!pod.chaos) {
      throw new TargetStateError(name, `${name} is not opted in to chaos (blackout.dev/chaos)`);
    }
    return { record, pod };
  }

  function recordEvent(pod: PodSnapshot, reason: string, message: string): void {
    api.recordEvent(pod, reason, message).catch((error: unknown) => {
      logger.warn({ err: error, pod: pod.name }, "cannot record a Kubernetes event");
    });
  }

  async function thaw(name: string): Promise<boolean> {
    const entry = frozen.get(name);
    if (entry === undefined) return false;
    clearTimeout(entry.timer);
    frozen.delete(name);
    const record = records.get(name);
    const pod = record?.pod;
    // A frozen pod that was deleted or replaced meanwhile has nothing left to thaw.
    if (record === undefined || pod === undefined || pod.uid !== entry.uid || pod.deleting) {
      return false;
    }
    try {
      await api.exec(name, pod.mainContainer ?? "", THAW_COMMAND);
    } catch (error) {
      logger.error({ err: error, pod: name }, "cannot thaw a frozen pod");
      return false;
    }
    emit(record, "thawed", now());
    return true;
  }

  return {
    mode: "kubernetes",
    async targets() {
      await synced();
      return [...records.values()].map(target).sort((a, b) => a.name.localeCompare(b.name));
    },

    async kill(name, mode) {
      await synced();
      const { pod } = victim(name);
      deletedByUs.set(pod.uid, mode);
      try {
        await api.delete(name, pod.uid, mode === "hard" ? 0 : undefined);
      } catch (error) {
        deletedByUs.delete(pod.uid);
        if (error instanceof PodApiError && error.status === 404) {
          throw new TargetStateError(name, `${name} is gone (its pod was deleted meanwhile)`);
        }
        if (error instanceof PodApiError && error.status === 409) {
          throw new TargetStateError(name, `${name} was replaced meanwhile`);
        }
        throw error;
      }
      const at = now();
      const how = mode === "hard" ? "deleted with grace period 0" : "deleted";
      recordEvent(pod, "BlackoutKill", `Blackout control ${how} (${mode} kill)`);
      return at;
    },

    async freeze(name, seconds) {
      await synced();
      const { record, pod } = victim(name);
      if (frozen.has(name)) throw new TargetStateError(name, `${name} is frozen already`);
      if (pod.mainContainer === undefined) {
        throw new TargetStateError(name, `${name} has no container to exec in`);
      }
      await api.exec(name, pod.mainContainer, FREEZE_COMMAND);
      const at = now();
      const timer = setTimeout(() => void thaw(name), seconds * 1000);
      frozen.set(name, { uid: pod.uid, timer });
      emit(record, "frozen", at);
      recordEvent(pod, "BlackoutFreeze", `Blackout control froze the pod for ${seconds} s`);
      return at;
    },

    async thawAll() {
      const names = [...frozen.keys()];
      const thawed = await Promise.all(names.map(async (name) => ((await thaw(name)) ? name : "")));
      return thawed.filter((name) => name !== "");
    },

    async resumeFreezes(freezes) {
      await synced();
      for (const { name, frozenAt, until } of freezes) {
        const pod = records.get(name)?.pod;
        if (pod === undefined || pod.deleting || frozen.has(name)) continue;
        if (pod.startedAt !== undefined && pod.startedAt > frozenAt) continue;
        const timer = setTimeout(() => void thaw(name), Math.max(0, until - now()));
        frozen.set(name, { uid: pod.uid, timer });
      }
    },

    onEvent(listener) {
      listeners.add(listener);
      synced().catch((error: unknown) => {
        logger.warn({ err: error, server: api.server }, "cannot list pods yet");
      });
      return () => listeners.delete(listener);
    },

    async close() {
      // Control holds the thaw timers: a pod left frozen would stay so until its liveness
      // probe fails.
      await this.thawAll();
      closing.abort();
      currentWatch?.stop();
      await firstSync?.catch(() => undefined);
      await following;
    },
  };
}

/** client-node ends a watch that sent nothing for 30 s; that is routine, not worth a warning. */
function isIdleTimeout(error: Error): boolean {
  return error.name === "TimeoutError";
}
