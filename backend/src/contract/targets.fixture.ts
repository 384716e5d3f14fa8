import type { Target, TargetKind } from "./targets.ts";

/** A running, ready, opted-in target unless `fields` says otherwise. */
export function fakeTarget(name: string, kind: TargetKind, fields: Partial<Target> = {}): Target {
  return {
    name,
    kind,
    status: "running",
    ready: true,
    chaos: true,
    restarts: 0,
    startedAt: 1000,
    readySince: 1000,
    ...fields,
  };
}
