import type { LifecycleEvent, LifecycleEventType } from "../../contract/targets.ts";
import { isTargetKind, type SupervisedComponent } from "./supervisedComponent.ts";

/** A lifecycle event with its place in the supervisor's event log, for replay after a reconnect. */
export interface SupervisorEvent extends LifecycleEvent {
  readonly seq: number;
}

export const EVENT_BUFFER_SIZE = 1000;

export interface SupervisorEvents {
  /** Logs and tells listeners of a target's event; a service's is dropped (services have none). */
  emit(
    component: Pick<SupervisedComponent, "spec">,
    type: LifecycleEventType,
    extra?: { byUs?: boolean; detail?: string },
  ): void;
  /** Returns the unsubscribe function. */
  onEvent(listener: (event: SupervisorEvent) => void): () => void;
  /** Buffered events (the last EVENT_BUFFER_SIZE) with a seq above `seq`, oldest first. */
  eventsAfter(seq: number): SupervisorEvent[];
}

/**
 * The supervisor's lifecycle event log: numbered events, the last EVENT_BUFFER_SIZE kept for a
 * reconnecting subscriber to replay, and listeners told at once; a listener that throws is
 * reported as progress and does not keep the others from hearing.
 */
export function createSupervisorEvents(options: {
  readonly now: () => number;
  readonly progress: (line: string) => void;
}): SupervisorEvents {
  const listeners = new Set<(event: SupervisorEvent) => void>();
  const events: SupervisorEvent[] = [];
  let seq = 0;
  return {
    emit(component, type, extra = {}) {
      const { kind, name } = component.spec;
      if (!isTargetKind(kind)) return;
      const event: SupervisorEvent = {
        seq: ++seq,
        type,
        target: name,
        kind,
        at: options.now(),
        ...extra,
      };
      events.push(event);
      if (events.length > EVENT_BUFFER_SIZE) events.shift();
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          options.progress(`a lifecycle event listener failed: ${messageOf(error)}`);
        }
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    eventsAfter(after) {
      return events.filter((event) => event.seq > after);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
