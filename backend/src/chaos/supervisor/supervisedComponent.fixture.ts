import type { ChildProcess } from "node:child_process";
import type { ComponentKind, Incarnation, SupervisedComponent } from "./supervisedComponent.ts";

/** A registered component, not started, whose readiness check answers `ready()`. */
export function fakeComponent(
  name: string,
  kind: ComponentKind = "consumer",
  ready: () => Promise<boolean> = () => Promise.resolve(true),
): SupervisedComponent {
  return {
    spec: {
      name,
      kind,
      chaos: kind !== "service",
      command: "node",
      args: [],
      env: {},
      logFile: `/tmp/${name}.log`,
      ready,
    },
    started: false,
    status: "stopped",
    ready: false,
    restarts: 0,
    crashes: 0,
  };
}

/**
 * Makes the component run an incarnation with no process behind it (no pid: nothing is
 * signalled), as the pieces that only keep state see one.
 */
export function fakeIncarnation(component: SupervisedComponent): Incarnation {
  const incarnation: Incarnation = {
    // Never touched by the pieces under test: they signal the pid's group, which is unset.
    child: {} as ChildProcess,
    pid: undefined,
    exited: Promise.resolve(),
    killedByUs: false,
    generation: 0,
  };
  component.started = true;
  component.status = "running";
  component.incarnation = incarnation;
  return incarnation;
}
