// Control's API as the dashboard sees it: the backend's own types, so that one contract serves
// the dashboard, the CLI and scripts (DESIGN §1 Control API). Types only: nothing of the backend
// is bundled.
export type { ScenarioFile } from "../../backend/src/chaos/scenarioLibrary.ts";
export type { SessionInfo, Topology } from "../../backend/src/services/control/controlApp.ts";
export type { Fault } from "../../backend/src/services/control/fault.ts";
export type { FaultPlan } from "../../backend/src/services/control/faultTracker.ts";
export type {
  ClientEvent,
  ClientSummary,
  SourcedSummary,
} from "../../backend/src/services/control/fleetFeed.ts";
export type { KafkaSample } from "../../backend/src/services/control/kafkaSeries.ts";
export type { RunState } from "../../backend/src/services/control/scenarioRunner.ts";
export type { TargetView } from "../../backend/src/services/control/topology.ts";
export type { KillMode } from "../../backend/src/chaos/orchestrator.ts";

/** `POST /api/faults`. */
export interface FaultRequest {
  readonly action: "kill" | "freeze";
  readonly target: string;
  readonly mode?: "graceful" | "hard";
  readonly seconds?: number;
  readonly dryRun?: boolean;
}

/** `GET /api/runs`: one line per run. */
export interface RunListItem {
  readonly id: string;
  readonly scenario: string;
  readonly status: string;
  readonly startedAt: number;
}
