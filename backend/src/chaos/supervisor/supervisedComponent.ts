import type { ChildProcess } from "node:child_process";
import type { Target, TargetKind, TargetStatus } from "../../contract/targets.ts";

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

/** One process of a component: a restart makes a new one. */
export interface Incarnation {
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

/** The supervisor's state of one component, across its incarnations. */
export interface SupervisedComponent {
  readonly spec: ComponentSpec;
  started: boolean;
  status: TargetStatus;
  ready: boolean;
  restarts: number;
  /**
   * Exits in a row of its own (a crash, a failed spawn, a signal from outside the lab), counted
   * until an incarnation lives the crash-loop policy's stableMs after becoming ready; see
   * crashLoopBackoff.ts.
   */
  crashes: number;
  /** The delay of its last restart, when that was backed off beyond the restart delay. */
  backoffMs?: number;
  startedAt?: number;
  readySince?: number;
  lastExit?: string;
  incarnation?: Incarnation;
  restartTimer?: NodeJS.Timeout;
}

export function isTargetKind(kind: ComponentKind): kind is TargetKind {
  return kind !== "service";
}

/**
 * What `targets()` and `components()` report of a component; `crashLooping` when its restarts are
 * backed off now (crashLoopBackoff.ts).
 */
export function componentInfo(
  component: SupervisedComponent,
  crashLooping: boolean,
): ComponentInfo {
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
    ...(crashLooping
      ? { crashLoop: { exits: component.crashes, backoffMs: component.backoffMs ?? 0 } }
      : {}),
  };
}
