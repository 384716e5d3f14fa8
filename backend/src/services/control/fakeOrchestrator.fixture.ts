import type { Orchestrator } from "../../chaos/orchestrators/orchestrator.ts";
import type { LifecycleEvent } from "../../contract/targets.ts";
import type { KillMode, Target } from "../../contract/targets.ts";
import { TargetStateError, UnknownTargetError } from "../../chaos/orchestrators/orchestrator.ts";

export interface FakeOrchestrator extends Orchestrator {
  readonly calls: string[];
  /** The target dies between control's listing and its kill: the kill is refused. */
  dieBeforeKill(name: string): void;
  /** Replaces one target's fields, as the supervisor would after a restart. */
  set(name: string, fields: Partial<Target>): void;
  emit(event: LifecycleEvent): void;
}

/** An orchestrator in memory: kills and freezes are recorded, targets change only when told. */
export function createFakeOrchestrator(
  initial: Target[],
  now: () => number = Date.now,
): FakeOrchestrator {
  const targets = new Map(initial.map((t) => [t.name, t]));
  const listeners = new Set<(event: LifecycleEvent) => void>();
  const calls: string[] = [];
  const dying = new Set<string>();
  const known = (name: string): Target => {
    const target = targets.get(name);
    if (target === undefined) throw new UnknownTargetError(name, [...targets.keys()]);
    return target;
  };
  return {
    mode: "local",
    calls,
    targets: () => Promise.resolve([...targets.values()]),
    kill(name: string, mode: KillMode) {
      known(name);
      if (dying.has(name)) {
        return Promise.reject(new TargetStateError(name, `${name} is not running`));
      }
      calls.push(`kill ${name} ${mode}`);
      return Promise.resolve(now());
    },
    freeze(name: string, seconds: number) {
      known(name);
      calls.push(`freeze ${name} ${seconds}`);
      return Promise.resolve(now());
    },
    thawAll() {
      calls.push("thawAll");
      return Promise.resolve([]);
    },
    resumeFreezes(freezes) {
      calls.push(`resumeFreezes ${freezes.map((f) => f.name).join(",")}`);
      return Promise.resolve();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => Promise.resolve(),
    dieBeforeKill(name) {
      dying.add(name);
    },
    set(name, fields) {
      targets.set(name, { ...known(name), ...fields });
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
  };
}
