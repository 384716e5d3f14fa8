import type { Orchestrator } from "../../src/chaos/orchestrators/orchestrator.ts";
import { createLogger } from "../../src/lib/logger.ts";
import type { FaultTracker } from "../../src/services/control/faultTracker.ts";
import {
  createInMemoryControl,
  type InMemoryControlOptions,
} from "../../src/services/control/inMemoryControl.fixture.ts";

export interface ControlWithoutKafka {
  readonly url: string;
  readonly tracker: FaultTracker;
  close(): Promise<void>;
}

/**
 * Control as main.ts wires it (its HTTP API, the fault tracker ticking every second, the
 * scenario runner), minus Kafka: kwok's pods run no containers, so there are no brokers to read
 * leaders and lag from, nor clients. The timeline lives in memory instead of blackout.faults;
 * with no lag samples a fault's lag recovery reads "never degraded" (0), and with no fleet its
 * client recovery is not waited for. What the Kubernetes side decides, the pod recovery, is real.
 * It closes the orchestrator when it closes.
 */
export async function startControlWithoutKafka(
  orchestrator: Orchestrator,
  options: Pick<InMemoryControlOptions, "config"> = {},
): Promise<ControlWithoutKafka> {
  const control = await createInMemoryControl({
    ...options,
    orchestrator,
    logger: createLogger({ name: "control", level: "warn" }),
    faultWindowMs: 120_000,
    settleMs: 1000,
  });
  await control.load();
  control.start();
  return { url: control.server.url, tracker: control.tracker, close: () => control.close() };
}
