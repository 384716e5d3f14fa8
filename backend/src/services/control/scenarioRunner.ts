import { createHash } from "node:crypto";
import { abortReason } from "../../chaos/scenarios/abortReason.ts";
import { describeStep } from "../../chaos/scenarios/describeStep.ts";
import type { FailoverSettings, Scenario, ScenarioStep } from "../../chaos/scenarios/scenario.ts";
import { runOutcome } from "../../chaos/scenarios/runOutcome.ts";
import type { Scorecard, SeriesPoint, StepResult } from "../../contract/scorecard.ts";
import { sloVerdicts } from "../../chaos/scenarios/sloVerdicts.ts";
import type { RunPhase, RunState } from "../../contract/runs.ts";
import type { Logger } from "../../lib/logger.ts";
import { seededRandom } from "../../lib/seededRandom.ts";
import type { Fault, FaultOutcome, WindowTotals } from "../../contract/fault.ts";
import type { FaultTracker } from "./faultTracker.ts";
import { ConflictError, isRefusal } from "../../lib/errors.ts";
import type { FleetFeed } from "./fleetFeed.ts";
import { traceRun } from "./controlSpans.ts";

/** What a run needs to know about the lab, for its replayable record. */
export interface LabFacts {
  readonly mode: "local" | "kubernetes";
  /** The failover settings the lab runs with; a scenario written for the others is refused. */
  readonly failoverSettings: FailoverSettings;
  readonly versions: Scorecard["lab"]["versions"];
  /** The lab's configuration as control sees it (counts, timeouts); hashed into the report. */
  config(): Promise<Record<string, string | number | boolean>>;
}

/** Where runs outlive control's process (blackout.runs; memory where there is no Kafka). */
export interface RunStore {
  /** The last record of a run is its state. */
  append(state: RunState): Promise<void>;
  load(): Promise<RunState[]>;
}

export interface ScenarioRunnerOptions {
  readonly tracker: FaultTracker;
  readonly store: RunStore;
  readonly feed: FleetFeed;
  /** The view consumers' total group lag now; null when Kafka's view is not available. */
  readonly totalLag: () => number | null;
  /** `rate` steps: a producer's records per second. */
  readonly setRate: (producer: string, perSecond: number) => Promise<void>;
  /** What an abort does to the lab: thaw whatever is frozen. */
  readonly thawAll: () => Promise<unknown>;
  readonly lab: LabFacts;
  readonly logger: Logger;
  readonly now: () => number;
  /** How long a run waits for its faults' reports to complete after the last step. */
  readonly settleTimeoutMs: number;
  /** How often the series gets a point and abortWhen is checked. Default 1 s. */
  readonly sampleMs?: number;
  readonly onUpdate: (state: RunState) => void;
}

export interface ScenarioRunner {
  /**
   * Reads the runs back after a restart. A run that was going when control's previous process
   * ended is aborted now, with its report as far as it got; answers those runs.
   */
  load(): Promise<RunState[]>;
  /**
   * Starts a run unless one is going (one scenario at a time, so their faults do not mix), or the
   * scenario is written for the other failover settings: either is a ConflictError.
   */
  start(scenario: Scenario, actor: string): Promise<RunState>;
  get(id: string): RunState | undefined;
  list(): RunState[];
  /** Aborts a running run: no further steps, frozen targets thawed, the report still made. */
  abort(id: string, reason: string): boolean;
  /** Aborts whatever runs (the emergency stop). */
  abortAll(reason: string): string[];
}

/** At most this many runs are kept in memory (their reports are the CLI's to keep). */
const MAX_RUNS = 50;
/**
 * A going run's state is stored at each step and phase, and otherwise this often: a restarted
 * control's partial report misses at most this much of its series.
 */
const STORE_EVERY_MS = 5000;
const INTERRUPTED = "control restarted during the run (its process ended)";

class Aborted extends Error {}

/**
 * Runs scenarios inside control (DESIGN §1), so that the CLI, the dashboard and a script get the
 * same scorecard: a steady window, the steps through the fault tracker (random picks from the
 * scenario's seed), then waiting for the run's faults to complete, and the SLO verdicts. Every
 * second it samples the clients' view for the report's charts and checks `abortWhen`.
 */
export function createScenarioRunner(options: ScenarioRunnerOptions): ScenarioRunner {
  const { tracker, feed, logger, now } = options;
  const sampleMs = options.sampleMs ?? 1000;
  const runs = new Map<string, RunState>();
  const aborters = new Map<string, (reason: string) => void>();
  const stored = new Map<string, { at: number; key: string }>();
  let storing: Promise<void> = Promise.resolve();
  let sequence = 0;

  /** Stores a run's state when it moved on (or a while passed); in order, never failing the run. */
  function store(state: RunState): void {
    const key = JSON.stringify([state.status, state.progress, state.scorecard.steps]);
    const last = stored.get(state.id);
    if (last !== undefined && last.key === key && now() - last.at < STORE_EVERY_MS) return;
    stored.set(state.id, { at: now(), key });
    storing = storing
      .then(() => options.store.append(state))
      .catch((error: unknown) =>
        logger.warn({ err: error, run: state.id }, "could not store the run's state"),
      );
  }

  /** A run control's previous process left going: aborted, with its report as far as it got. */
  function interrupted(state: RunState): RunState {
    const at = now();
    const { scorecard } = state;
    return {
      ...state,
      status: "aborted",
      progress: { ...state.progress, phase: "done", message: `aborted: ${INTERRUPTED}` },
      scorecard: {
        ...scorecard,
        run: { ...scorecard.run, status: "aborted", endedAt: at, abortReason: INTERRUPTED },
        steps: scorecard.steps.map((step) =>
          step.endedAt === null
            ? { ...step, endedAt: at, outcome: "failed", message: INTERRUPTED }
            : step,
        ),
        // The tracker kept following them meanwhile.
        faults: scorecard.faults.map((fault) => tracker.get(fault.id) ?? fault),
      },
    };
  }

  function totalsSince(from: number): WindowTotals | null {
    return feed.totalsBetween(from, now());
  }

  function sample(from: number): SeriesPoint {
    const latest = feed.latest().map((s) => s.summary);
    const totals = totalsSince(from);
    const worst = (pick: (s: (typeof latest)[number]) => number | null | undefined) => {
      const values = latest.map(pick).filter((v): v is number => typeof v === "number");
      return values.length === 0 ? null : Math.max(...values);
    };
    return {
      at: now(),
      missing: totals?.missing ?? 0,
      staleReads: totals?.staleReads ?? 0,
      failedPolls: totals?.failedPolls ?? 0,
      stalledClients: latest.reduce((sum, s) => sum + (s.stalledClients ?? 0), 0),
      latencyP50Ms: worst((s) => s.latencyP50Ms),
      latencyP99Ms: worst((s) => s.latencyP99Ms),
      lag: options.totalLag(),
    };
  }

  async function labRecord(): Promise<Scorecard["lab"]> {
    const config = await options.lab.config();
    return {
      mode: options.lab.mode,
      versions: options.lab.versions,
      configHash: createHash("sha256")
        .update(JSON.stringify(Object.entries(config).sort(([a], [b]) => a.localeCompare(b))))
        .digest("hex"),
      config,
    };
  }

  /** Publishes the run's first state before its first await, then runs it to the end. */
  async function execute(
    id: string,
    scenario: Scenario,
    actor: string,
    lab: Scorecard["lab"],
  ): Promise<void> {
    const startedAt = now();
    const random = seededRandom(scenario.seed);
    const steps: StepResult[] = [];
    const faultIds: string[] = [];
    const series: SeriesPoint[] = [];
    let phase: RunPhase = "steady";
    let stepsStartedAt: number | null = null;
    let stepsEndedAt: number | null = null;
    let message = `steady state for ${scenario.steadyMs / 1000} s`;
    let abortedBecause: string | undefined;
    let wake: (() => void) | undefined;

    // A run's faults: those its steps caused, and any termination control observed while the
    // steps ran (kubectl delete, kill -9): a run of `wait` steps scores a kubectl-driven chaos run.
    const faultsOfRun = (): Fault[] => {
      const caused = faultIds.map((fid) => tracker.get(fid)).filter((f) => f !== undefined);
      const from = stepsStartedAt;
      if (from === null) return caused;
      const to = stepsEndedAt ?? now();
      const observed = tracker
        .list()
        .filter((f) => f.actor === "external" && f.t0 >= from && f.t0 <= to);
      return [...caused, ...observed].sort((a, b) => a.t0 - b.t0);
    };

    const publish = (status: RunState["status"], endedAt: number | null): RunState => {
      const totals = totalsSince(startedAt);
      const faults = faultsOfRun();
      const state: RunState = {
        id,
        status,
        progress: {
          phase,
          step: steps.length,
          steps: scenario.steps.length,
          message,
        },
        scorecard: {
          schemaVersion: 1,
          run: {
            id,
            scenario: scenario.name,
            description: scenario.description,
            seed: scenario.seed,
            actor,
            startedAt,
            stepsStartedAt,
            endedAt,
            status,
            ...(abortedBecause !== undefined ? { abortReason: abortedBecause } : {}),
          },
          lab,
          steps: [...steps],
          faults,
          totals,
          slos: sloVerdicts(scenario.slo, totals, faults),
          series: [...series],
        },
      };
      runs.set(id, state);
      store(state);
      options.onUpdate(state);
      return state;
    };

    aborters.set(id, (reason) => {
      abortedBecause ??= reason;
      wake?.();
    });
    const checkAbort = (): void => {
      abortedBecause ??= abortReason(scenario.abortWhen, totalsSince(startedAt));
      if (abortedBecause !== undefined) throw new Aborted(abortedBecause);
    };
    /** Waits `ms`, sampling and checking abortWhen every sampleMs. */
    const pause = async (ms: number): Promise<void> => {
      const until = now() + ms;
      for (;;) {
        checkAbort();
        const left = until - now();
        if (left <= 0) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(sampleMs, left));
        });
        wake = undefined;
        series.push(sample(startedAt));
        publish("running", null);
      }
    };

    publish("running", null);
    try {
      await pause(scenario.steadyMs);
      phase = "steps";
      stepsStartedAt = now();
      for (const step of scenario.steps) {
        checkAbort();
        message = describeStep(step);
        const result: StepResult = {
          index: steps.length,
          description: message,
          startedAt: now(),
          endedAt: null,
          outcome: "done",
        };
        steps.push(result);
        publish("running", null);
        const done = await runStep(step);
        steps[result.index] = { ...result, ...done, endedAt: now() };
        if (done.faultId !== undefined) faultIds.push(done.faultId);
        publish("running", null);
      }
      phase = "settling";
      stepsEndedAt = now();
      message = "waiting for the faults' reports to complete";
      const settleUntil = now() + options.settleTimeoutMs;
      while (faultsOfRun().some((f) => f.report.status === "open") && now() < settleUntil) {
        await pause(Math.min(sampleMs, settleUntil - now()));
      }
    } catch (error) {
      if (!(error instanceof Aborted)) {
        logger.error({ err: error, run: id }, "scenario run failed");
        message = `error: ${error instanceof Error ? error.message : String(error)}`;
        phase = "done";
        aborters.delete(id);
        publish("error", now());
        return;
      }
      logger.warn({ run: id, reason: error.message }, "scenario run aborted");
      for (let i = steps.length; i < scenario.steps.length; i += 1) {
        const skipped = scenario.steps[i];
        if (skipped === undefined) continue;
        steps.push({
          index: i,
          description: describeStep(skipped),
          startedAt: now(),
          endedAt: now(),
          outcome: "skipped",
        });
      }
      await options
        .thawAll()
        .catch((thawError: unknown) =>
          logger.error({ err: thawError, run: id }, "could not thaw after an abort"),
        );
    }
    aborters.delete(id);
    phase = "done";
    series.push(sample(startedAt));
    const final = publish("running", null);
    const outcome = runOutcome(final.scorecard, abortedBecause);
    message = outcome.message;
    const ended = publish(outcome.status, now());
    traceRun(
      ended.scorecard.run,
      ended.scorecard.faults.map((f) => f.id),
    );

    async function runStep(
      step: ScenarioStep,
    ): Promise<Pick<StepResult, "outcome" | "faultId" | "victim" | "message">> {
      switch (step.type) {
        case "wait":
          await pause(step.ms);
          return { outcome: "done" };
        case "rate":
          try {
            await options.setRate(step.producer, step.perSecond);
            return { outcome: "done" };
          } catch (error) {
            return {
              outcome: "failed",
              message: error instanceof Error ? error.message : String(error),
            };
          }
        case "kill":
        case "freeze": {
          let outcome: FaultOutcome;
          try {
            outcome = await tracker.inject({
              action: step.type,
              target: step.target,
              mode: step.type === "kill" ? step.mode : "graceful",
              ...(step.type === "freeze" ? { seconds: step.seconds } : {}),
              dryRun: false,
              force: false,
              actor: `scenario:${id}`,
              random,
            });
          } catch (error) {
            // A refusal (no such target, MIN_ALIVE) is the step's outcome, not the run's end.
            if (!isRefusal(error)) throw error;
            return { outcome: "refused", message: error.message };
          }
          if (outcome.kind === "injected") {
            return { outcome: "done", faultId: outcome.fault.id, victim: outcome.fault.target };
          }
          return { outcome: "refused", message: "planned only" };
        }
      }
    }
  }

  return {
    async load() {
      const latest = new Map<string, RunState>();
      for (const state of await options.store.load()) latest.set(state.id, state);
      const ended: RunState[] = [];
      for (const state of [...latest.values()].slice(-MAX_RUNS)) {
        const kept = state.status === "running" ? interrupted(state) : state;
        if (kept !== state) {
          ended.push(kept);
          store(kept);
          logger.warn({ run: kept.id }, `run aborted: ${INTERRUPTED}`);
        }
        runs.set(kept.id, kept);
      }
      await storing;
      return ended;
    },
    async start(scenario, actor) {
      const running = [...runs.values()].find((r) => r.status === "running");
      if (running !== undefined) {
        throw new ConflictError(
          `run ${running.id} (${running.scorecard.run.scenario}) is still going; abort it or wait`,
        );
      }
      const wanted = scenario.failoverSettings;
      if (wanted !== undefined && wanted !== options.lab.failoverSettings) {
        throw new ConflictError(
          `${scenario.name} is written for the ${wanted} failover settings (${wanted === "tuned" ? "npm start -- --tuned" : "npm start"}); this lab runs the ${options.lab.failoverSettings} ones`,
        );
      }
      let id: string;
      do {
        sequence += 1;
        id = `run-${new Date(now())
          .toISOString()
          .replace(/[-:]/g, "")
          .replace(/\.\d+Z$/, "Z")}-${sequence}`;
        // Runs read back from before a restart keep their ids.
      } while (runs.has(id));
      // Taken before the run is registered: a second start meanwhile must not slip in.
      const lab = await labRecord();
      if ([...runs.values()].some((r) => r.status === "running")) {
        throw new ConflictError("another run started meanwhile");
      }
      void execute(id, scenario, actor, lab);
      for (const old of runs.keys()) {
        if (runs.size <= MAX_RUNS) break;
        runs.delete(old);
        stored.delete(old);
      }
      const state = runs.get(id);
      if (state === undefined) throw new Error(`run ${id} did not publish its first state`);
      return state;
    },
    get: (id) => runs.get(id),
    list: () => [...runs.values()],
    abort(id, reason) {
      const abort = aborters.get(id);
      abort?.(reason);
      return abort !== undefined;
    },
    abortAll(reason) {
      const ids = [...aborters.keys()];
      for (const id of ids) aborters.get(id)?.(reason);
      return ids;
    },
  };
}
