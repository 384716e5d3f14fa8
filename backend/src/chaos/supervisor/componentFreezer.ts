import type { ComponentReadiness } from "./componentReadiness.ts";
import { TargetStateError } from "../orchestrators/orchestrator.ts";
import { signalGroup } from "./signalGroup.ts";
import type { Incarnation, SupervisedComponent } from "./supervisedComponent.ts";
import type { SupervisorEvents } from "./supervisorEvents.ts";

// setTimeout fires at once (with a warning) beyond this.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ComponentFreezer {
  /**
   * SIGSTOP now, SIGCONT after `seconds`: frozen, and unready meanwhile. Throws RangeError for
   * seconds out of range and TargetStateError when the component is frozen already.
   */
  freeze(component: SupervisedComponent, incarnation: Incarnation, seconds: number): void;
  /** SIGCONT now, if this incarnation is still the component's and frozen; polls readiness again. */
  thaw(component: SupervisedComponent, incarnation: Incarnation): void;
}

export function createComponentFreezer(options: {
  readonly events: SupervisorEvents;
  readonly readiness: ComponentReadiness;
}): ComponentFreezer {
  const { events, readiness } = options;

  function thaw(component: SupervisedComponent, incarnation: Incarnation): void {
    if (component.incarnation !== incarnation || component.status !== "frozen") return;
    clearTimeout(incarnation.thawTimer);
    incarnation.thawTimer = undefined;
    signalGroup(incarnation.pid, "SIGCONT");
    component.status = "running";
    incarnation.generation += 1;
    events.emit(component, "thawed");
    readiness.poll(component, incarnation);
  }

  return {
    freeze(component, incarnation, seconds) {
      const { name } = component.spec;
      const ms = seconds * 1000;
      if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
        throw new RangeError(`freeze seconds must be above 0 and at most ${MAX_TIMER_MS / 1000}`);
      }
      if (component.status === "frozen") {
        throw new TargetStateError(name, `cannot freeze ${name}: it is frozen already`);
      }
      signalGroup(incarnation.pid, "SIGSTOP");
      component.status = "frozen";
      incarnation.generation += 1;
      clearTimeout(incarnation.pollTimer);
      events.emit(component, "frozen", { detail: `for ${seconds} s` });
      readiness.set(component, false);
      incarnation.thawTimer = setTimeout(() => thaw(component, incarnation), ms);
    },
    thaw,
  };
}
