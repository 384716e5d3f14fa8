import { type AbortRules } from "./scenario.ts";
import { COUNT_SLOS } from "../../contract/scorecard.ts";
import type { Scorecard } from "../../contract/scorecard.ts";

/**
 * Why a running scenario must stop now: the first of its abortWhen rules that the run's totals
 * so far cross, or undefined while none does (or while the totals are not known).
 */
export function abortReason(rules: AbortRules, totals: Scorecard["totals"]): string | undefined {
  if (totals === null) return undefined;
  for (const counter of COUNT_SLOS) {
    const rule = rules[counter];
    if (rule === undefined) continue;
    const value = totals[counter];
    if (rule.op === ">" ? value > rule.value : value >= rule.value) {
      return `abortWhen ${counter} ${rule.op} ${rule.value}: ${counter} is ${value}`;
    }
  }
  return undefined;
}
