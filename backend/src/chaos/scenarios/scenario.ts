import type { KillMode } from "../../contract/targets.ts";
import type { CountSlo, SloName } from "../../contract/scorecard.ts";

/**
 * A scripted chaos run (DESIGN §1 Scenarios) as the runner executes it: what `parseScenario` makes
 * of a YAML file once it is valid. Durations are in ms; targets are control's selectors (a name,
 * `random:<kind>`, `leader-of:<partition>`, `most-leaders`, `controller`).
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Seeds the random picks (`random:consumer`), so that a run can be replayed. */
  readonly seed: number;
  /** The baseline window before the first step (client and lag recovery need a steady state). */
  readonly steadyMs: number;
  readonly steps: readonly ScenarioStep[];
  readonly slo: Slo;
  /** Stops the run early when a running total crosses its threshold; the report is still written. */
  readonly abortWhen: AbortRules;
  /**
   * The lab's failover settings the SLOs are written for (`npm start` or `npm start -- --tuned`);
   * a run on a lab with the other settings is refused. Unset: any.
   */
  readonly failoverSettings?: FailoverSettings;
}

/** What a typical deployment has, or the lab's tuned set (backend/src/lab/labTuning.ts). */
export const FAILOVER_SETTINGS = ["typical", "tuned"] as const;
export type FailoverSettings = (typeof FAILOVER_SETTINGS)[number];

export type ScenarioStep =
  | { readonly type: "kill"; readonly target: string; readonly mode: KillMode }
  | { readonly type: "freeze"; readonly target: string; readonly seconds: number }
  | { readonly type: "wait"; readonly ms: number }
  | { readonly type: "rate"; readonly producer: string; readonly perSecond: number };

/** Each bound is "at most": `missing: 0`, `clientRecoveryP99: 12000` (ms). Absent: not checked. */
export type Slo = Readonly<Partial<Record<SloName, number>>>;

/** `missing: ">0"` in YAML: abort when the running total is above (or at least) the value. */
export interface AbortRule {
  readonly op: ">" | ">=";
  readonly value: number;
}
export type AbortRules = Readonly<Partial<Record<CountSlo, AbortRule>>>;
