import type { Fault } from "./fault.ts";
import type { ClientEvent, SourcedSummary } from "./fleet.ts";
import type { KafkaSample } from "./kafkaSnapshot.ts";
import type { RunState } from "./runs.ts";
import type { LifecycleEvent } from "./targets.ts";
import type { Topology } from "./topology.ts";

/**
 * What control pushes over socket.io to every dashboard, typed on both ends
 * (`Server<ControlCommands, ControlEvents>`, `Socket<ControlEvents, ControlCommands>`).
 */
export interface ControlEvents {
  /** The whole timeline: on connect, and once it was read back from Kafka. */
  faults: (faults: Fault[]) => void;
  /** One fault, new or updated (its reports fill in as it recovers). */
  fault: (fault: Fault) => void;
  /** The targets and Kafka's view: on connect and whenever either changed. */
  topology: (topology: Topology) => void;
  /** A scenario run's progress and scorecard. */
  run: (run: RunState) => void;
  /** A client summary as it arrives (about once a second per source). */
  fleet: (summary: SourcedSummary) => void;
  /** Anomalies the clients saw, as they arrive. */
  anomaly: (events: ClientEvent[]) => void;
  /** Kafka's side of the charts, once per Kafka view (every second or two). */
  kafka: (sample: KafkaSample) => void;
  /** What the orchestrator saw; for scripts (the dashboard follows `topology`). */
  lifecycle: (event: LifecycleEvent) => void;
}

/**
 * What control accepts from dashboards over socket.io: nothing. Every action is a REST call,
 * where the operator token and the input are checked and the call is audited.
 */
export type ControlCommands = Record<string, never>;
