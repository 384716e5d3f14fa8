import { setTimeout as delay } from "node:timers/promises";
import type { Orchestrator } from "../../chaos/orchestrators/orchestrator.ts";
import type { LifecycleEvent } from "../../contract/targets.ts";
import type { KillMode, Target } from "../../contract/targets.ts";
import { failoverFloor, type Floor, type FloorSettings } from "../../kafka/failoverFloor.ts";
import { latestByKey } from "../../kafka/jsonLogStore.ts";
import { ConflictError, InvalidInputError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { z } from "zod";
import {
  faultId,
  openReport,
  type ClientRecovery,
  type Fault,
  type FaultOutcome,
  type FaultPlan,
  type faultRequestSchema,
} from "../../contract/fault.ts";
import { guardRefusal } from "./faultGuards.ts";
import { traceInjection, traceObservedFault, traceRecovery } from "./controlSpans.ts";
import type { FleetFeed } from "./fleetFeed.ts";
import { lagRecoveryMs, type LagSample } from "./lagRecovery.ts";
import { pickVictim, type KafkaLeadership } from "./victimPicker.ts";
import { parseSelector } from "../../contract/selector.ts";

/** A fault request as control's API parsed it, and who asked. */
export type FaultRequest = z.output<typeof faultRequestSchema> & {
  readonly actor: string;
  /** For `random:<kind>`: a scenario's seeded generator; control's own otherwise. */
  readonly random?: () => number;
};

/** The client fleet as control reaches it: told of each fault, asked for its clients' recovery. */
export interface FleetLink {
  follow(id: string, t0: number): Promise<void>;
  recovery(id: string): Promise<ClientRecovery | undefined>;
}

/** Where the timeline lives (the `blackout.faults` topic): appended to, read back on start. */
export interface FaultStore {
  append(fault: Fault): Promise<void>;
  load(): Promise<Fault[]>;
}

/** Kafka's side as the tracker needs it, kept fresh by control's Kafka poller. */
export interface KafkaFacts {
  leadership(): KafkaLeadership | undefined;
  lagSamples(): readonly LagSample[];
}

export interface FaultTrackerOptions {
  readonly orchestrator: Orchestrator;
  readonly kafka: KafkaFacts;
  readonly feed: FleetFeed;
  readonly fleet: FleetLink | undefined;
  readonly store: FaultStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: () => number;
  readonly minAlive: number;
  /** A fault still open this long after t0 is closed with what is known (`timedOut`). */
  readonly faultWindowMs: number;
  /** After the pod is back, how long to wait for late effects before a report is final. */
  readonly settleMs: number;
  /** The least lag bound (records) for lag recovery. */
  readonly lagFloor: number;
  /** View consumers' groups are `<prefix><consumer name>`. */
  readonly groupPrefix: string;
  /** The settings each fault's floor comes from; undefined while they could not be read. */
  readonly floorSettings?: () => FloorSettings | undefined;
  /** Every change of a fault (injected, observed, a recovery time known, completed). */
  readonly onChange: (fault: Fault) => void;
}

export interface FaultTracker {
  /** Reads the timeline back from the store; open faults whose window is still running resume. */
  load(): Promise<void>;
  /** A refused fault is thrown: InvalidInputError, NotFoundError or ConflictError. */
  inject(request: FaultRequest): Promise<FaultOutcome>;
  /** A lifecycle event from the orchestrator: a termination nobody asked control for is a fault. */
  observe(event: LifecycleEvent): void;
  /** Brings every open fault up to date: called every second. */
  tick(): Promise<void>;
  /** Oldest first. */
  list(): Fault[];
  get(id: string): Fault | undefined;
  /** Why a kill or freeze of this target would be refused now (the dashboard greys the button). */
  readonly refusal: (target: Target, targets: readonly Target[]) => string | undefined;
}

/**
 * The fault timeline and its reports (DESIGN §1). A fault is injected through the orchestrator or
 * observed as a termination control did not cause; each tick fills in its three recovery times:
 * pod (the target's readiness), client (the fleet's ledgers), lag (Kafka's group lag).
 */
/** How long an injection's answer waits for its fault to be on the timeline. */
const APPEND_WAIT_MS = 2000;

export function createFaultTracker(options: FaultTrackerOptions): FaultTracker {
  const { orchestrator, kafka, feed, fleet, store, logger, now } = options;
  const faults = new Map<string, Fault>();
  /** Faults the fleet has not acknowledged yet (it was down or busy). */
  const unfollowed = new Set<string>();
  let pendingAppends: Fault[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let targets: Target[] = [];

  /**
   * Appended at once, not at the next tick: a control killed within that second would lose the
   * fault. Never awaited by an injection, since Kafka may be what the fault broke.
   */
  function remember(fault: Fault, persist: boolean): void {
    faults.set(fault.id, fault);
    options.onChange(fault);
    if (!persist) return;
    pendingAppends.push(fault);
    void flush();
  }

  /**
   * Resolves once what is pending is on the timeline, or after `ms`: an injection's answer waits
   * that long so that a control killed right after it still has the fault, and no longer, since
   * Kafka may be what the fault broke.
   */
  function appended(ms: number): Promise<void> {
    return Promise.race([flush(), delay(ms, undefined, { ref: false })]);
  }

  /** One flush at a time, so that the timeline keeps its order. */
  function flush(): Promise<void> {
    flushing = flushing.then(flushAppends);
    return flushing;
  }

  async function flushAppends(): Promise<void> {
    const batch = pendingAppends;
    pendingAppends = [];
    for (const [index, fault] of batch.entries()) {
      try {
        await store.append(fault);
      } catch (error) {
        // Kafka may be what the fault broke: keep the rest, in order, for the next tick.
        pendingAppends = [...batch.slice(index), ...pendingAppends];
        logger.warn({ err: error, fault: fault.id }, "cannot append the fault to Kafka yet");
        return;
      }
    }
  }

  async function follow(fault: Fault): Promise<void> {
    if (fleet === undefined) return;
    try {
      await fleet.follow(fault.id, fault.t0);
      unfollowed.delete(fault.id);
    } catch (error) {
      if (!unfollowed.has(fault.id)) {
        logger.warn({ err: error, fault: fault.id }, "cannot tell the fleet of the fault yet");
      }
      unfollowed.add(fault.id);
    }
  }

  async function refreshTargets(): Promise<Target[]> {
    targets = await orchestrator.targets();
    return targets;
  }

  function groupsOfConsumers(): string[] {
    return targets
      .filter((t) => t.kind === "consumer")
      .map((t) => `${options.groupPrefix}${t.name}`);
  }

  async function update(fault: Fault, at: number): Promise<Fault> {
    const report = { ...fault.report };
    const target = targets.find((t) => t.name === fault.target);
    if (
      report.podRecoveryMs === null &&
      target?.ready === true &&
      target.readySince !== undefined &&
      target.readySince > fault.t0
    ) {
      report.podRecoveryMs = target.readySince - fault.t0;
    }
    if (fleet !== undefined && !unfollowed.has(fault.id)) {
      try {
        report.clientRecovery = (await fleet.recovery(fault.id)) ?? report.clientRecovery;
      } catch (error) {
        logger.debug({ err: error, fault: fault.id }, "fleet recovery not available");
      }
    }
    const lag = lagRecoveryMs(kafka.lagSamples(), fault.t0, groupsOfConsumers(), options.lagFloor);
    // "Never degraded" is only an answer once the target is back: before that the lag may still rise.
    report.lagRecoveryMs = lag === 0 && report.podRecoveryMs === null ? null : (lag ?? null);
    report.totals = feed.totalsBetween(fault.t0, at);

    const clientsDone =
      fleet === undefined ||
      (report.clientRecovery !== null && report.clientRecovery.pending === 0);
    const settled =
      report.podRecoveryMs !== null && at - (fault.t0 + report.podRecoveryMs) >= options.settleMs;
    const timedOut = at - fault.t0 >= options.faultWindowMs;
    if ((settled && clientsDone && report.lagRecoveryMs !== null) || timedOut) {
      report.status = "complete";
      report.windowEnd = at;
      report.timedOut = !(settled && clientsDone && report.lagRecoveryMs !== null);
    }
    return { ...fault, report };
  }

  /** A report worth a Kafka record: a recovery time became known, or the fault completed. */
  function milestone(before: Fault, after: Fault): boolean {
    const a = before.report;
    const b = after.report;
    return (
      a.status !== b.status ||
      (a.podRecoveryMs === null) !== (b.podRecoveryMs === null) ||
      (a.lagRecoveryMs === null) !== (b.lagRecoveryMs === null) ||
      (a.clientRecovery?.pending === 0) !== (b.clientRecovery?.pending === 0)
    );
  }

  function refusal(target: Target, all: readonly Target[]): string | undefined {
    return guardRefusal(target, all, { minAlive: options.minAlive, force: false });
  }

  /** At t0: whether a broker was the active controller is Kafka's view just before the fault. */
  function floorOf(
    target: Pick<Target, "kind" | "nodeId">,
    action: Fault["action"],
    mode: KillMode | undefined,
  ): { floor?: Floor } {
    const settings = options.floorSettings?.();
    if (settings === undefined) return {};
    const controller = kafka.leadership()?.controller;
    const floor = failoverFloor(
      {
        kind: target.kind,
        action,
        mode,
        activeController: target.nodeId !== undefined && target.nodeId === controller,
      },
      settings,
    );
    return floor === undefined ? {} : { floor };
  }

  async function injectNow(request: FaultRequest): Promise<FaultOutcome> {
    const selector = parseSelector(request.target);
    if (typeof selector === "string") throw new InvalidInputError(selector);
    const all = await refreshTargets();
    const random = request.random ?? options.random;
    const { victim, leads } = pickVictim(selector, all, kafka.leadership(), random);
    const refused = guardRefusal(victim, all, {
      minAlive: options.minAlive,
      force: request.force,
    });
    if (refused !== undefined) throw new ConflictError(refused);
    const plan: FaultPlan = {
      action: request.action,
      victim: victim.name,
      kind: victim.kind,
      ...(request.action === "kill" ? { mode: request.mode } : { seconds: request.seconds ?? 0 }),
      leadersMoving: leads,
    };
    if (request.dryRun) return { kind: "planned", plan };

    // The target may change between the listing and the call: it died (TargetStateError, a
    // ConflictError) or it is gone (UnknownTargetError, a NotFoundError).
    const t0 =
      request.action === "kill"
        ? await orchestrator.kill(victim.name, request.mode)
        : await orchestrator.freeze(victim.name, request.seconds ?? 0);
    const fault: Fault = {
      id: faultId(t0, victim.name),
      t0,
      target: victim.name,
      kind: victim.kind,
      action: request.action,
      ...(plan.mode !== undefined ? { mode: plan.mode } : {}),
      ...(plan.seconds !== undefined ? { seconds: plan.seconds } : {}),
      actor: request.actor,
      selector: request.target,
      ...(victim.kind === "broker" ? { leads } : {}),
      ...floorOf(victim, request.action, plan.mode),
      report: openReport(),
    };
    remember(fault, true);
    await Promise.all([follow(fault), appended(APPEND_WAIT_MS)]);
    return { kind: "injected", fault };
  }

  return {
    async load() {
      const at = now();
      // Each fault was appended again as its report filled in: the last record of an id is it.
      for (const stored of latestByKey(await store.load(), (fault) => fault.id)) {
        faults.set(stored.id, stored);
      }
      for (const fault of faults.values()) {
        if (fault.report.status === "open") unfollowed.add(fault.id);
      }
      logger.info(
        { faults: faults.size, open: unfollowed.size, at },
        "fault timeline read back from Kafka",
      );
    },

    inject(request) {
      return traceInjection(
        request.action,
        request.target,
        () => injectNow(request),
        (outcome) => (outcome.kind === "injected" ? outcome.fault : undefined),
      );
    },

    observe(event) {
      if (event.type !== "terminated" || event.byUs !== false) return;
      const explained = [...faults.values()].some(
        (f) => f.target === event.target && f.report.status === "open" && f.t0 <= event.at,
      );
      const id = faultId(event.at, event.target);
      if (explained || faults.has(id)) return;
      const mode: KillMode | undefined = event.detail?.includes("SIGKILL")
        ? "hard"
        : event.detail?.includes("SIGTERM")
          ? "graceful"
          : undefined;
      const fault: Fault = {
        id,
        t0: event.at,
        target: event.target,
        kind: event.kind,
        action: "kill",
        ...(mode !== undefined ? { mode } : {}),
        actor: "external",
        selector: "observed",
        ...(event.detail !== undefined ? { detail: event.detail } : {}),
        ...floorOf(
          targets.find((target) => target.name === event.target) ?? { kind: event.kind },
          "kill",
          mode,
        ),
        report: openReport(),
      };
      logger.warn({ fault: id, target: event.target, detail: event.detail }, "observed a fault");
      traceObservedFault(fault);
      remember(fault, true);
      void follow(fault);
    },

    async tick() {
      try {
        await refreshTargets();
      } catch (error) {
        logger.warn({ err: error }, "cannot list targets");
      }
      const at = now();
      for (const id of unfollowed) {
        const fault = faults.get(id);
        if (fault !== undefined) await follow(fault);
      }
      for (const fault of [...faults.values()]) {
        if (fault.report.status !== "open") continue;
        const updated = await update(fault, at);
        const record = (): void => {
          if (JSON.stringify(updated.report) !== JSON.stringify(fault.report)) {
            remember(updated, milestone(fault, updated));
          }
        };
        if (updated.report.status === "complete") {
          unfollowed.delete(fault.id);
          // Recorded inside the recovery span, so that the recovery times it feeds to the
          // metrics carry that span's trace as their exemplar.
          traceRecovery(updated, at, record);
        } else {
          record();
        }
      }
      await flush();
    },

    list() {
      return [...faults.values()].sort((a, b) => a.t0 - b.t0);
    },
    get(id) {
      return faults.get(id);
    },
    refusal,
  };
}
