// Shapes of control's answers for the dashboard's tests.
import { fakeTarget } from "../../backend/src/contract/targets.fixture.ts";
import { fakeFault } from "../../backend/src/contract/fault.fixture.ts";
import type { RunState } from "../../backend/src/contract/runs.ts";
import type { SessionInfo, Topology } from "../../backend/src/contract/topology.ts";
import type { TargetView } from "../../backend/src/contract/targets.ts";

export const operatorSession: SessionInfo = {
  mode: "local",
  links: {},
  tokenRequired: false,
  operator: true,
  viewer: true,
};
export const viewerSession: SessionInfo = {
  ...operatorSession,
  tokenRequired: true,
  operator: false,
};
/** Control listens beyond loopback and reads need the token, which this caller lacks. */
export const lockedSession: SessionInfo = { ...viewerSession, viewer: false };

export function target(name: string, overrides: Partial<TargetView> = {}): TargetView {
  const kind = name.startsWith("kafka")
    ? "broker"
    : name.startsWith("producer")
      ? "producer"
      : "consumer";
  return { ...fakeTarget(name, kind), refusal: null, ...overrides };
}

export function topology(targets: TargetView[]): Topology {
  return { at: 1, targets, kafka: null };
}

/** A hard kill of consumer-1, its report open unless `report` says otherwise. */
export const fault = fakeFault;

export function runState(overrides: Partial<RunState["scorecard"]["run"]> = {}): RunState {
  const status = overrides.status ?? "running";
  return {
    id: "run-1",
    status,
    progress: {
      phase: status === "running" ? "steps" : "done",
      step: 1,
      steps: 2,
      message: "kill consumer-1 (hard)",
    },
    scorecard: {
      schemaVersion: 1,
      run: {
        id: "run-1",
        scenario: "consumer-hard-kill",
        description: "d",
        seed: 7,
        actor: "dashboard",
        startedAt: 1000,
        stepsStartedAt: 2000,
        endedAt: null,
        status,
        ...overrides,
      },
      lab: {
        mode: "local",
        versions: { blackout: "0", kafka: "4.4.0", node: "v24" },
        configHash: "h",
        config: {},
      },
      steps: [],
      faults: [],
      totals: null,
      slos: [],
      series: [],
    },
  };
}
