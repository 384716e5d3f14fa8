import type { Target } from "../../contract/targets.ts";

export interface GuardOptions {
  /** The fewest ready replicas of a kind a fault may leave (DESIGN §1 Safety). */
  readonly minAlive: number;
}

/**
 * Why a kill or freeze of `victim` must be refused, or undefined when it may go ahead. `force`
 * overrides only the MIN_ALIVE guard: a target that is not opted in is never touched, and one
 * that is already down cannot be killed again.
 */
export function guardRefusal(
  victim: Target,
  targets: readonly Target[],
  options: GuardOptions & { readonly force: boolean },
): string | undefined {
  if (!victim.chaos) {
    return `${victim.name} is not opted in to chaos (label blackout.dev/chaos=enabled)`;
  }
  if (victim.status === "stopped") return `${victim.name} is down already (being replaced)`;
  if (victim.status === "frozen") return `${victim.name} is frozen; thaw it (emergency stop) first`;
  if (options.force) return undefined;
  const readyAfter = targets.filter(
    (t) => t.kind === victim.kind && t.ready && t.name !== victim.name,
  ).length;
  if (readyAfter < options.minAlive) {
    return `MIN_ALIVE: it would leave ${readyAfter} ready ${victim.kind}${readyAfter === 1 ? "" : "s"}, fewer than ${options.minAlive} (force overrides)`;
  }
  return undefined;
}
