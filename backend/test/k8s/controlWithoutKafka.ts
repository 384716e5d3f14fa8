import type { Orchestrator } from "../../src/chaos/orchestrator.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { listen } from "../../src/lib/httpApp.ts";
import { createLogger } from "../../src/lib/logger.ts";
import type { FaultTracker } from "../../src/services/control/faultTracker.ts";
import { createInMemoryControl } from "../../src/services/control/inMemoryControl.fixture.ts";

export interface ControlWithoutKafka {
  readonly url: string;
  readonly tracker: FaultTracker;
  close(): Promise<void>;
}

/**
 * Control as main.ts wires it (its HTTP API, the fault tracker ticking every half second, the
 * scenario runner), minus Kafka: kwok's pods run no containers, so there are no brokers to read
 * leaders and lag from, nor clients. The timeline lives in memory instead of blackout.faults;
 * with no lag samples a fault's lag recovery reads "never degraded" (0), and with no fleet its
 * client recovery is not waited for. What the Kubernetes side decides, the pod recovery, is real.
 */
export async function startControlWithoutKafka(
  orchestrator: Orchestrator,
): Promise<ControlWithoutKafka> {
  const logger = createLogger({ name: "control", level: "warn" });
  const { app, tracker } = createInMemoryControl({
    orchestrator,
    logger,
    faultWindowMs: 120_000,
    settleMs: 1000,
    settleTimeoutMs: 60_000,
  });
  const [port] = await freePorts(1);
  const server = await listen(app, "127.0.0.1", port ?? 0);
  await tracker.load();
  const unsubscribe = orchestrator.onEvent((event) => tracker.observe(event));
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    ticking = tracker
      .tick()
      .catch((error: unknown) => logger.error({ err: error }, "fault tracking failed"))
      .finally(() => setTimeout(tick, 500));
  };
  tick();
  return {
    url: server.url,
    tracker,
    async close() {
      stopped = true;
      await ticking;
      unsubscribe();
      await server.close();
    },
  };
}
