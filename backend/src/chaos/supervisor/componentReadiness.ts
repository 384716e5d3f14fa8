import type { Incarnation, SupervisedComponent } from "./supervisedComponent.ts";
import type { SupervisorEvents } from "./supervisorEvents.ts";

export interface ComponentReadiness {
  /** Records a readiness change, with its ready or unready event; no change, no event. */
  set(component: SupervisedComponent, ready: boolean): void;
  /** Checks the incarnation every readyPollMs while it is the component's, running and current. */
  poll(component: SupervisedComponent, incarnation: Incarnation): void;
}

/** Watches the components' readiness checks, one check in flight per incarnation. */
export function createComponentReadiness(options: {
  readonly readyPollMs: number;
  readonly now: () => number;
  readonly events: SupervisorEvents;
}): ComponentReadiness {
  function set(component: SupervisedComponent, ready: boolean): void {
    if (ready === component.ready) return;
    component.ready = ready;
    if (ready) component.readySince = options.now();
    options.events.emit(component, ready ? "ready" : "unready");
  }

  function poll(component: SupervisedComponent, incarnation: Incarnation): void {
    const generation = incarnation.generation;
    const current = (): boolean =>
      component.incarnation === incarnation &&
      incarnation.generation === generation &&
      component.status === "running";
    incarnation.pollTimer = setTimeout(() => {
      incarnation.pollTimer = undefined;
      // Through a promise, so that even a check that throws before returning one counts as "not
      // ready" rather than an uncaught exception.
      void Promise.resolve()
        .then(() => component.spec.ready())
        .catch(() => false)
        .then((ready) => {
          if (!current()) return;
          set(component, ready);
          poll(component, incarnation);
        });
    }, options.readyPollMs);
  }

  return { set, poll };
}
