import type { Orchestrator } from "../../chaos/orchestrators/orchestrator.ts";
import type { Logger } from "../../lib/logger.ts";
import type { ControlAppOptions } from "./controlApp.ts";
import { loadControlConfig, type ControlConfig } from "./controlConfig.ts";
import { createControl, type Control } from "./createControl.ts";
import type { Fault } from "../../contract/fault.ts";
import type { RunState } from "../../contract/runs.ts";
import { memoryLog } from "./memoryLog.fixture.ts";

export interface InMemoryControlOptions {
  readonly orchestrator: Orchestrator;
  readonly logger: Logger;
  readonly faultWindowMs: number;
  readonly settleMs: number;
  /** Replaces any of control's settings (MIN_ALIVE, the fault rate limit). */
  readonly config?: Partial<ControlConfig>;
  /** Replaces any of the HTTP app's options (a token, a dashboard directory, callbacks). */
  readonly app?: Partial<ControlAppOptions>;
  /** What a previous control process stored: this one reads it back as after a restart. */
  readonly previous?: Pick<InMemoryControl, "stored" | "storedRuns">;
}

export interface InMemoryControl extends Control {
  /** What the tracker appended to its store, in order. */
  readonly stored: Fault[];
  /** What the scenario runner appended to its store, in order. */
  readonly storedRuns: RunState[];
}

/**
 * Control as main.ts wires it (createControl), without Kafka: the fault timeline in memory
 * instead of blackout.faults, no leaders or lag (lag recovery reads "never degraded"), no fleet to
 * ask for client recovery. It listens on a free loopback port; load() and start() are the
 * caller's, as is the orchestrator, which close() closes too. For tests of control's API and of
 * the orchestrators it drives.
 */
export async function createInMemoryControl(
  options: InMemoryControlOptions,
): Promise<InMemoryControl> {
  const stored: Fault[] = [...(options.previous?.stored ?? [])];
  const storedRuns: RunState[] = [...(options.previous?.storedRuns ?? [])];
  const control = await createControl({
    config: {
      ...loadControlConfig({ HTTP_HOST: "127.0.0.1" }),
      HTTP_PORT: 0,
      // No fleet, and no producers to ask: nothing of the lab's defaults is reached.
      CLIENTS_URL: undefined,
      PRODUCER_URLS: {},
      FAULT_WINDOW_MS: options.faultWindowMs,
      SETTLE_MS: options.settleMs,
      ...options.config,
    },
    logger: options.logger,
    orchestrator: options.orchestrator,
    store: memoryLog(stored),
    runStore: memoryLog(storedRuns),
    kafka: undefined,
    versions: { blackout: "test", kafka: "none", node: process.version },
    dashboardDir: undefined,
    page: "<html>placeholder</html>",
    now: Date.now,
    random: Math.random,
    ...(options.app === undefined ? {} : { app: options.app }),
  });
  return { ...control, stored, storedRuns };
}
