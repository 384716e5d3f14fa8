// Control's API as the dashboard sees it: the backend's own client and types, so that one
// contract serves the dashboard, the CLI and scripts (DESIGN §1 Control API).
export type { KillMode } from "../../backend/src/chaos/orchestrator.ts";
export type { ScenarioFile } from "../../backend/src/chaos/scenarioFile.ts";
export type { SessionInfo, Topology } from "../../backend/src/services/control/controlApp.ts";
export type {
  ControlClient,
  FaultPlan,
  FaultRequest,
  RunState,
  RunSummary,
} from "../../backend/src/services/control/controlClient.ts";
export type { Fault } from "../../backend/src/services/control/fault.ts";
export type {
  ClientEvent,
  ClientSummary,
  SourcedSummary,
} from "../../backend/src/services/control/fleetFeed.ts";
export type { KafkaSample } from "../../backend/src/services/control/kafkaSeries.ts";
export type { TargetView } from "../../backend/src/services/control/topology.ts";
