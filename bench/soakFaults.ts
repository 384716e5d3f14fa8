// The soak's faults: which one comes next, drawn from a seeded generator so that a run can be
// repeated, among the victims the guards allow at that moment.
import type { FaultRequest } from "../backend/src/contract/fault.ts";
import type { KillMode, Target, TargetKind, TargetView } from "../backend/src/contract/targets.ts";

export type SoakFault =
  | { readonly kind: TargetKind; readonly action: "kill"; readonly mode: KillMode }
  | { readonly kind: TargetKind; readonly action: "freeze" };

/** Every fault a soak draws from: each kind killed both ways, and frozen. */
export const SOAK_FAULTS: readonly SoakFault[] = (
  ["consumer", "producer", "broker"] as const
).flatMap((kind) => [
  { kind, action: "kill", mode: "hard" } as const,
  { kind, action: "kill", mode: "graceful" } as const,
  { kind, action: "freeze" } as const,
]);

export interface FreezeRange {
  /** Whole seconds, both ends included. */
  readonly min: number;
  readonly max: number;
}

/** A fault to ask control for, by the victim's name, and how to print it. */
export interface PickedFault {
  readonly request: FaultRequest;
  readonly label: string;
}

/**
 * The next fault: one of SOAK_FAULTS, then a victim of that kind, then (for a freeze) how long.
 * The victim is one the guards allow now (a target whose `refusal` is null), as an operator
 * looking at the dashboard would pick; when the guards allow none of that kind, one of them all,
 * so that control's refusal is what the soak records. Three draws every time, whatever the
 * branch, so that the same seed draws the same faults whenever the lab is in the same state.
 * Undefined when the lab has no target of the kind drawn.
 */
export function pickFault(
  random: () => number,
  targets: readonly TargetView[],
  freeze: FreezeRange,
): PickedFault | undefined {
  const [faultDraw, victimDraw, secondsDraw] = [random(), random(), random()];
  const fault = SOAK_FAULTS[Math.floor(faultDraw * SOAK_FAULTS.length)];
  if (fault === undefined) return undefined;
  const ofKind = targets.filter((t) => t.kind === fault.kind);
  const allowed = ofKind.filter((t) => t.refusal === null);
  const pool = allowed.length > 0 ? allowed : ofKind;
  const victim = pool[Math.floor(victimDraw * pool.length)];
  if (victim === undefined) return undefined;
  if (fault.action === "freeze") {
    const seconds = freeze.min + Math.floor(secondsDraw * (freeze.max - freeze.min + 1));
    return {
      request: { action: "freeze", target: victim.name, seconds },
      label: `freeze ${victim.name} ${seconds} s`,
    };
  }
  return {
    request: { action: "kill", target: victim.name, mode: fault.mode },
    label: `${fault.mode} kill of ${victim.name}`,
  };
}

/**
 * The targets a soak never aims a fault at: of each kind with more than one, the last by name.
 * Each kind then has a process that lives through the whole run, carrying the load its faulted
 * peers shed, and its memory can be judged over the run; the faulted ones live minutes each.
 */
export function sparedTargets(targets: readonly Pick<Target, "name" | "kind">[]): string[] {
  const byKind = Map.groupBy(targets, (t) => t.kind);
  return [...byKind.values()]
    .filter((ofKind) => ofKind.length > 1)
    .map(
      (ofKind) =>
        ofKind
          .map((t) => t.name)
          .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
          .at(-1) ?? "",
    )
    .sort();
}
