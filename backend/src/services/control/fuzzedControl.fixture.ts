import { fakeTarget } from "../../contract/targets.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import type { ControlAppOptions } from "./controlApp.ts";
import { createFakeOrchestrator, type FakeOrchestrator } from "./fakeOrchestrator.fixture.ts";
import { createInMemoryControl, type InMemoryControl } from "./inMemoryControl.fixture.ts";

export interface FuzzedControl {
  readonly control: InMemoryControl;
  readonly orchestrator: FakeOrchestrator;
  /** Everything a call could change: timeline, runs, the fleet's feed, the orchestrator's calls. */
  snapshot(): unknown;
}

/**
 * Control in memory for property tests (issue 18), its timeline loaded: logging at info to
 * nowhere, so that what an input does to a log line happens too, and ready without start(),
 * whose ticks would change fault reports between a call and the check of what it changed.
 */
export async function createFuzzedControl(
  app: Partial<ControlAppOptions> = {},
): Promise<FuzzedControl> {
  const orchestrator = createFakeOrchestrator([
    fakeTarget("consumer-0", "consumer"),
    fakeTarget("consumer-1", "consumer"),
    fakeTarget("consumer-2", "consumer"),
    fakeTarget("kafka-1", "broker", { nodeId: 1 }),
    fakeTarget("producer-0", "producer"),
  ]);
  const control = await createInMemoryControl({
    orchestrator,
    logger: createLogger({ name: "test", level: "info" }, { write: () => undefined }),
    faultWindowMs: 60_000,
    settleMs: 1000,
    app: { probes: { alive: () => true, ready: () => true }, ...app },
  });
  await control.load();
  return {
    control,
    orchestrator,
    snapshot: () =>
      structuredClone({
        faults: control.tracker.list(),
        stored: control.stored,
        runs: control.runner.list(),
        latest: control.feed.latest(),
        history: control.feed.history(-Infinity),
        anomalies: control.feed.events(Number.MAX_SAFE_INTEGER),
        calls: orchestrator.calls,
      }),
  };
}
