import { ConflictError, NotFoundError } from "../../lib/errors.ts";

/**
 * The orchestrator: what control needs from whatever runs the lab's processes. Two
 * implementations: `local` (the lab's supervisor, child processes on this machine) and
 * `kubernetes` (pods through the Kubernetes API). Kafka-aware facts about brokers (partitions they
 * lead, the active controller) are not the orchestrator's: control adds them from Kafka's admin view.
 */
import type { KillMode, LifecycleEvent, Target } from "../../contract/targets.ts";

export interface Orchestrator {
  readonly mode: "local" | "kubernetes";
  /** Every chaos-kind component the orchestrator knows, opted in or not. */
  targets(): Promise<Target[]>;
  /**
   * Kills one target; resolves once the signal was sent / the delete was accepted (not once the
   * replacement is up), with that moment (ms epoch): the fault's t0. Rejects with
   * `UnknownTargetError` for a name it does not know.
   */
  kill(name: string, mode: KillMode): Promise<number>;
  /** SIGSTOP now, SIGCONT after `seconds`; resolves once frozen, with when (as kill does). */
  freeze(name: string, seconds: number): Promise<number>;
  /** Emergency stop: every frozen target is thawed now; resolves with their names. */
  thawAll(): Promise<string[]>;
  /**
   * Control restarted: the freezes its previous process made (read back from the timeline), each
   * until its planned end. Kubernetes: that process held the thaw timers, so a freeze past its
   * end is thawed now and the others are timed again (a target restarted since its freeze is not
   * frozen any more and is left alone). Local: the supervisor holds its own timers.
   */
  resumeFreezes(freezes: readonly ResumedFreeze[]): Promise<void>;
  /** Lifecycle events as they happen; returns the unsubscribe function. */
  onEvent(listener: (event: LifecycleEvent) => void): () => void;
  /** Stops watching (the lab's processes stay as they are). */
  close(): Promise<void>;
}

export interface ResumedFreeze {
  readonly name: string;
  /** When it was frozen (ms epoch). */
  readonly frozenAt: number;
  /** When it is due to be thawed (ms epoch). */
  readonly until: number;
}

/** A target name the orchestrator does not know; a 404 answer carries the known ones. */
export class UnknownTargetError extends NotFoundError {
  readonly target: string;
  constructor(target: string, known: readonly string[]) {
    super(`no target ${JSON.stringify(target)}; targets are ${known.join(", ") || "none"}`, {
      details: { targets: known },
    });
    this.name = "UnknownTargetError";
    this.target = target;
  }
}

/**
 * A known target whose current state does not allow the action, e.g. a kill while it is stopped
 * waiting for its replacement. Control answers it with 409.
 */
export class TargetStateError extends ConflictError {
  readonly target: string;
  constructor(target: string, message: string) {
    super(message);
    this.name = "TargetStateError";
    this.target = target;
  }
}
