import type { ScenarioStep } from "./scenario.ts";

/** A step as a run's progress and report show it: `kill leader-of:0 (hard)`, `wait 10 s`. */
export function describeStep(step: ScenarioStep): string {
  switch (step.type) {
    case "kill":
      return `kill ${step.target} (${step.mode})`;
    case "freeze":
      return `freeze ${step.target} for ${step.seconds} s`;
    case "wait":
      return `wait ${step.ms / 1000} s`;
    case "rate":
      return `rate ${step.producer} ${step.perSecond}/s`;
  }
}
