import { backoffDelay } from "../../ledger/backoffDelay.ts";
import type { SupervisedComponent } from "./supervisedComponent.ts";

export interface CrashLoopPolicy {
  /** The delay after a kill by the lab, and after an exit of its own that is not one in a row. */
  readonly restartDelayMs: number;
  /** The longest a backed-off restart waits (never below restartDelayMs). */
  readonly maxRestartDelayMs: number;
  /**
   * An incarnation that lived this long after it became ready is up for good: the exits in a row
   * before it are forgotten.
   */
  readonly stableMs: number;
}

/** The lab's defaults: restarts back off up to 30 s, and 30 s ready ends a crash loop. */
export const DEFAULT_MAX_RESTART_DELAY_MS = 30_000;
export const DEFAULT_STABLE_MS = 30_000;

export interface CrashLoopBackoff {
  /**
   * How long to wait before restarting a component whose incarnation ended at `at`; call it while
   * the component still has that incarnation's ready state. An exit of its own counts in
   * `component.crashes`; a kill by the lab (`killedByUs`: a chaos fault, the lab's stop) always
   * waits restartDelayMs, so that a fault's recovery times do not depend on the exits before it.
   */
  restartDelay(component: SupervisedComponent, at: number, killedByUs: boolean): number;
  /** Its restarts are backed off now: exits in a row, and no incarnation stable since. */
  looping(component: SupervisedComponent, now: number): boolean;
}

/**
 * A crash-loop backoff like the kubelet's CrashLoopBackOff: a component that exits by itself
 * again and again, each time before it lived `stableMs` after becoming ready (or without ever
 * becoming ready), is restarted after restartDelayMs,
 * then twice that, four times… up to maxRestartDelayMs, so that a broken component (a port in use,
 * a bad setting, a dependency down) does not burn the machine's 2 cores in a tight loop.
 */
export function createCrashLoopBackoff(policy: CrashLoopPolicy): CrashLoopBackoff {
  // Not whether it is ready at the exit: a readiness check often sees a dying process first.
  const stable = (component: SupervisedComponent, at: number): boolean =>
    component.readySince !== undefined && at - component.readySince >= policy.stableMs;

  return {
    restartDelay(component, at, killedByUs) {
      if (stable(component, at)) {
        component.crashes = 0;
        component.backoffMs = undefined;
      }
      if (killedByUs) return policy.restartDelayMs;
      component.crashes += 1;
      const delay = backoffDelay(
        component.crashes,
        {
          initialMs: policy.restartDelayMs,
          maxMs: Math.max(policy.maxRestartDelayMs, policy.restartDelayMs),
          jitter: 0,
        },
        Math.random,
      );
      component.backoffMs = delay > policy.restartDelayMs ? delay : undefined;
      return delay;
    },
    looping: (component, now) => component.backoffMs !== undefined && !stable(component, now),
  };
}
