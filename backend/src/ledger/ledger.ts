import { createLatencyWindow } from "./latencyWindow.ts";
import type { LatencySummary } from "./latencyWindow.ts";
import type { LedgerRecord, RecordsAnswer } from "../contract/recordsAnswer.ts";
import { STEADY_STATE_MS } from "../contract/steadyState.ts";
import { createSequenceTracker } from "./sequenceTracker.ts";
import type { SequenceTracker } from "./sequenceTracker.ts";

/**
 * Why a poll failed: no answer in time, connection refused, another network error, an HTTP error
 * status, or a body that is not a records answer.
 */
export type PollFailureReason = "timeout" | "refused" | "network" | "http" | "bad-answer";

/**
 * What a client saw that it should not have, or a change of its stall state: what the fleet pushes
 * to control. `at` is when the client saw it; number runs are inclusive.
 */
export type LedgerEvent =
  /** Numbers `from`..`to` were skipped: a later number arrived first. They count as missing. */
  | GapEvent
  /** Missing numbers `from`..`to` arrived after all: no longer missing, counted as reordered. */
  | RunEvent<"late">
  /** Numbers `from`..`to` had already been received (or were before the client's start). */
  | RunEvent<"duplicate">
  /**
   * Numbers `from`..`to` left the consumer's view window before the client asked for them: it
   * fell behind (overload, a long pause). Counted as fellBehind, not as missing.
   */
  | RunEvent<"fell-behind">
  /** The consumer's view (`head`) was behind what the client already had (`had`). */
  | StaleEvent
  | PollFailedEvent
  /** No fresh data since `since` for longer than `stallMs`: an outage began. */
  | { readonly type: "stall-start"; readonly at: number; readonly since: number }
  /** Fresh data again, from `consumer`, after an outage of `durationMs`. */
  | {
      readonly type: "stall-end";
      readonly at: number;
      readonly since: number;
      readonly durationMs: number;
      readonly consumer: string;
    };

interface RunEvent<T extends string> {
  readonly type: T;
  readonly at: number;
  readonly consumer: string;
  readonly producer: string;
  readonly from: number;
  readonly to: number;
}

type GapEvent = RunEvent<"gap">;

interface StaleEvent {
  readonly type: "stale";
  readonly at: number;
  readonly consumer: string;
  /** The producer that the consumer was furthest behind on, when several. */
  readonly producer: string;
  readonly had: number;
  /** The consumer's head for the producer; 0 when its view does not hold the producer at all. */
  readonly head: number;
}

interface PollFailedEvent {
  readonly type: "poll-failed";
  readonly at: number;
  readonly reason: PollFailureReason;
  readonly detail?: string;
}

export interface LedgerOptions {
  /** A stretch without fresh data longer than this is an outage (DESIGN: 3 × POLL_MS). */
  readonly stallMs: number;
  /** The least steady-state latency bound for recovery, so that a very fast minute before a fault
   * does not make ordinary jitter look like a fault. Default 250 ms. */
  readonly latencyFloorMs?: number;
  /** How far back the latency percentiles and the poll history reach. Default LEDGER_HISTORY_MS. */
  readonly historyMs?: number;
}

export interface AnswerOutcome {
  /** Records this client had not received before, in answer order (late arrivals included). */
  readonly fresh: LedgerRecord[];
  readonly events: LedgerEvent[];
}

export interface ProducerSnapshot {
  /** Highest number accounted for: received, or the position the client subscribed at. */
  readonly highest: number;
  readonly received: number;
  readonly missing: number;
  readonly reordered: number;
  readonly duplicates: number;
  readonly fellBehind: number;
}

export interface LedgerSnapshot {
  readonly at: number;
  /** Answered plus failed polls. */
  readonly polls: number;
  readonly failedPolls: number;
  readonly failedPollsByReason: Readonly<Partial<Record<PollFailureReason, number>>>;
  readonly freshRecords: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly staleReads: number;
  readonly reordered: number;
  /** Numbers skipped because the client fell behind the view window: overload, not a failover. */
  readonly fellBehind: number;
  /** Outages (stalls longer than `stallMs`), the current one included. */
  readonly stalls: number;
  readonly longestStallMs: number;
  /** Time since the last poll that brought fresh data, outage or not. */
  readonly currentStallMs: number;
  /** The most recent finished outages, oldest first, at most 32. */
  readonly stallDurationsMs: readonly number[];
  /** Over the records received in the last `historyMs`; undefined when there were none. */
  readonly latency: LatencySummary | undefined;
  readonly lastConsumer: string | undefined;
  readonly producers: Readonly<Record<string, ProducerSnapshot>>;
}

export interface Ledger {
  recordAnswer(answer: RecordsAnswer, receivedAt: number): AnswerOutcome;
  recordFailure(at: number, reason: PollFailureReason, detail?: string): LedgerEvent[];
  /** Lets an outage be noticed while polls hang or are far apart. */
  tick(now: number): LedgerEvent[];
  snapshot(now: number): LedgerSnapshot;
  /**
   * Starts following the fault at `t0` and answers its steady-state latency bound. Call it as soon
   * as the client hears of the fault: the bound needs the latencies of the minute before t0, which
   * are kept for `historyMs` only; polls between t0 and the call are replayed from the history.
   */
  watchFault(t0: number): number;
  /**
   * Client recovery time for the fault at t0, as of `now` (watching the fault first if needed):
   * 0 when the client has not noticed it, undefined while it has not recovered.
   */
  recoveryTime(t0: number, now: number): number | undefined;
}

/** The ledger's default memory; the fleet checks that a fault's steady state is still in it. */
export const LEDGER_HISTORY_MS = 120_000;
const MAX_LATENCY_SAMPLES = 2048;
const LATENCY_SAMPLES_PER_POLL = 8;
const MAX_POLL_HISTORY = 1024;
const MAX_WATCHED_FAULTS = 16;
const MAX_STALL_DURATIONS = 32;

/** One poll as the recovery computation needs it. */
interface PollObservation {
  readonly at: number;
  readonly failed: boolean;
  /** The poll's end-to-end latency (see `createLedger`); undefined when it brought nothing fresh. */
  readonly latency: number | undefined;
  /** When the client last got fresh data before this poll. */
  readonly waitingSince: number;
}

interface FaultWatch {
  readonly t0: number;
  readonly bound: number;
  noticed: boolean;
  recoveredAt: number | undefined;
}

/**
 * One client's ledger: what it actually saw, poll by poll. Pure (no clock, no I/O): every time is
 * passed in, so the page, the simulated fleet and control's recovery computation share it and tests
 * drive it with a seeded clock.
 *
 * Where each producer starts: the first answer is the subscription ("from now"), so its heads are
 * where the client starts; a producer first seen later starts just below its lowest number in that
 * answer. Numbers before the start are never missing.
 *
 * Recovery for a fault at t0 (DESIGN §1):
 * - The bound is max(p99 of the latencies of records received in [t0 − 60 s, t0), the floor).
 * - A poll's latency is how old the newest data it brought is: per producer that brought fresh
 *   records, receive time − ts of its highest fresh number; the worst producer counts. (Not the
 *   oldest record: a poll delivers everything since the previous one, so its oldest record is about
 *   one poll interval old and would exceed the p99 of single records in steady state every few
 *   polls, making every client "notice" every fault.)
 * - A client noticed the fault if at some moment in (t0, now] it had a failed poll, a poll whose
 *   latency exceeded the bound, or had gone longer than `stallMs` without fresh data (an outage,
 *   even one that began before t0). Stale reads, gaps and duplicates are counted separately but do
 *   not by themselves count as noticing: round-robin over consumers a few milliseconds apart gives
 *   harmless stale reads in steady state, and a consumer that really lags shows in latency.
 * - Recovery is at the first poll that brings fresh data within the bound after the last such
 *   degradation up to now (a client that flaps has not recovered yet); recovery time = that moment
 *   − t0. Not noticed: 0. Degraded at `now` (including an ongoing outage): undefined. The answer
 *   covers every poll recorded so far, so a client that notices the fault late turns from 0 into
 *   its real recovery time: callers read it when the fault's window ends (or the next fault
 *   begins). At most 16 faults are followed at once; the oldest is dropped first.
 */
export function createLedger(options: LedgerOptions): Ledger {
  const { stallMs } = options;
  const latencyFloorMs = options.latencyFloorMs ?? 250;
  const historyMs = options.historyMs ?? LEDGER_HISTORY_MS;

  const producers = new Map<string, SequenceTracker>();
  const latencies = createLatencyWindow({
    windowMs: historyMs,
    maxSamples: MAX_LATENCY_SAMPLES,
    samplesPerPoll: LATENCY_SAMPLES_PER_POLL,
  });
  const history: PollObservation[] = [];
  const watches = new Map<number, FaultWatch>();

  let answers = 0;
  let failedPolls = 0;
  const failedPollsByReason: Partial<Record<PollFailureReason, number>> = {};
  let freshRecords = 0;
  let staleReads = 0;
  let lastConsumer: string | undefined;

  // The stall clock starts with the first thing the client does.
  let waitingSince: number | undefined;
  let inOutage = false;
  let finishedStalls = 0;
  let longestFinishedStallMs = 0;
  const stallDurationsMs: number[] = [];

  function startClock(at: number): number {
    waitingSince ??= at;
    return waitingSince;
  }

  function checkStall(now: number, events: LedgerEvent[]): void {
    const since = startClock(now);
    if (!inOutage && now - since > stallMs) {
      inOutage = true;
      events.push({ type: "stall-start", at: now, since });
    }
  }

  function observe(observation: PollObservation): void {
    history.push(observation);
    while (
      history.length > MAX_POLL_HISTORY ||
      (history[0] !== undefined && history[0].at < observation.at - historyMs)
    ) {
      history.shift();
    }
    for (const watch of watches.values()) applyToWatch(watch, observation);
  }

  function applyToWatch(watch: FaultWatch, poll: PollObservation): void {
    if (poll.at <= watch.t0) return;
    if (poll.at - poll.waitingSince > stallMs) {
      watch.noticed = true;
      watch.recoveredAt = undefined;
    }
    if (poll.failed || (poll.latency !== undefined && poll.latency > watch.bound)) {
      watch.noticed = true;
      watch.recoveredAt = undefined;
    } else if (watch.noticed && watch.recoveredAt === undefined && poll.latency !== undefined) {
      watch.recoveredAt = poll.at;
    }
  }

  function watchFault(t0: number): FaultWatch {
    const existing = watches.get(t0);
    if (existing !== undefined) return existing;
    const steady = latencies.between(t0 - STEADY_STATE_MS, t0);
    const watch: FaultWatch = {
      t0,
      bound: Math.max(steady?.p99 ?? 0, latencyFloorMs),
      noticed: false,
      recoveredAt: undefined,
    };
    for (const poll of history) applyToWatch(watch, poll);
    watches.set(t0, watch);
    for (const oldest of watches.keys()) {
      if (watches.size <= MAX_WATCHED_FAULTS) break;
      watches.delete(oldest);
    }
    return watch;
  }

  function trackerFor(producer: string, baseline: number): SequenceTracker {
    let tracker = producers.get(producer);
    if (tracker === undefined) {
      tracker = createSequenceTracker(baseline);
      producers.set(producer, tracker);
    }
    return tracker;
  }

  function staleEvent(answer: RecordsAnswer, at: number): StaleEvent | undefined {
    let worst: StaleEvent | undefined;
    for (const [producer, tracker] of producers) {
      const head = answer.heads[producer] ?? 0;
      if (
        head < tracker.highest &&
        (worst === undefined || tracker.highest - head > worst.had - worst.head)
      ) {
        worst = {
          type: "stale",
          at,
          consumer: answer.consumer,
          producer,
          had: tracker.highest,
          head,
        };
      }
    }
    return worst;
  }

  return {
    recordAnswer(answer, receivedAt) {
      const events: LedgerEvent[] = [];
      checkStall(receivedAt, events);
      const waitingBefore = startClock(receivedAt);
      const subscription = answers === 0;
      answers += 1;
      lastConsumer = answer.consumer;

      const stale = subscription ? undefined : staleEvent(answer, receivedAt);
      if (stale !== undefined) {
        staleReads += 1;
        events.push(stale);
      }

      const lowest = new Map<string, number>();
      for (const { producer, seq } of answer.records) {
        lowest.set(producer, Math.min(seq, lowest.get(producer) ?? seq));
      }
      if (subscription) {
        for (const [producer, head] of Object.entries(answer.heads)) {
          trackerFor(producer, Math.min(head, (lowest.get(producer) ?? head + 1) - 1));
        }
      }

      // Before the records: they start after the window's floor, which must not open a gap.
      for (const [producer, floor] of Object.entries(answer.behind ?? {})) {
        const skipped = producers.get(producer)?.skipTo(floor);
        if (skipped !== undefined) {
          events.push({
            type: "fell-behind",
            at: receivedAt,
            consumer: answer.consumer,
            producer,
            ...skipped,
          });
        }
      }

      const fresh: LedgerRecord[] = [];
      const newest = new Map<string, LedgerRecord>();
      let advanced = false;
      let run: RunEvent<"late" | "duplicate"> | undefined;
      const flushRun = (): void => {
        if (run !== undefined) events.push(run);
        run = undefined;
      };
      const extendRun = (type: "late" | "duplicate", record: LedgerRecord): void => {
        if (run?.type === type && run.producer === record.producer && run.to + 1 === record.seq) {
          run = { ...run, to: record.seq };
          return;
        }
        flushRun();
        const { producer, seq } = record;
        run = { type, at: receivedAt, consumer: answer.consumer, producer, from: seq, to: seq };
      };

      for (const record of answer.records) {
        const tracker = trackerFor(record.producer, (lowest.get(record.producer) ?? 1) - 1);
        const arrival = tracker.accept(record.seq);
        if (arrival.kind === "duplicate") {
          extendRun("duplicate", record);
          continue;
        }
        if (arrival.kind === "late") {
          extendRun("late", record);
        } else {
          advanced = true;
          if (arrival.gap !== undefined) {
            flushRun();
            events.push({
              type: "gap",
              at: receivedAt,
              consumer: answer.consumer,
              producer: record.producer,
              ...arrival.gap,
            });
          }
        }
        fresh.push(record);
        const known = newest.get(record.producer);
        if (known === undefined || record.seq > known.seq) newest.set(record.producer, record);
      }
      flushRun();

      freshRecords += fresh.length;
      latencies.add(
        receivedAt,
        fresh.map((record) => receivedAt - record.ts),
      );
      let latency: number | undefined;
      for (const record of newest.values()) {
        latency = Math.max(latency ?? -Infinity, receivedAt - record.ts);
      }

      if (advanced) {
        if (inOutage) {
          const durationMs = receivedAt - waitingBefore;
          finishedStalls += 1;
          longestFinishedStallMs = Math.max(longestFinishedStallMs, durationMs);
          stallDurationsMs.push(durationMs);
          if (stallDurationsMs.length > MAX_STALL_DURATIONS) stallDurationsMs.shift();
          events.push({
            type: "stall-end",
            at: receivedAt,
            since: waitingBefore,
            durationMs,
            consumer: answer.consumer,
          });
          inOutage = false;
        }
        waitingSince = receivedAt;
      }
      observe({ at: receivedAt, failed: false, latency, waitingSince: waitingBefore });
      return { fresh, events };
    },

    recordFailure(at, reason, detail) {
      const events: LedgerEvent[] = [];
      checkStall(at, events);
      failedPolls += 1;
      failedPollsByReason[reason] = (failedPollsByReason[reason] ?? 0) + 1;
      events.push(
        detail === undefined
          ? { type: "poll-failed", at, reason }
          : { type: "poll-failed", at, reason, detail },
      );
      observe({ at, failed: true, latency: undefined, waitingSince: startClock(at) });
      return events;
    },

    tick(now) {
      const events: LedgerEvent[] = [];
      checkStall(now, events);
      return events;
    },

    snapshot(now) {
      const currentStallMs = waitingSince === undefined ? 0 : Math.max(0, now - waitingSince);
      const stalledNow = currentStallMs > stallMs;
      const perProducer: Record<string, ProducerSnapshot> = {};
      let missing = 0;
      let duplicates = 0;
      let reordered = 0;
      let fellBehind = 0;
      for (const [producer, tracker] of producers) {
        perProducer[producer] = {
          highest: tracker.highest,
          received: tracker.received,
          missing: tracker.missing,
          reordered: tracker.late,
          duplicates: tracker.duplicates,
          fellBehind: tracker.fellBehind,
        };
        missing += tracker.missing;
        duplicates += tracker.duplicates;
        reordered += tracker.late;
        fellBehind += tracker.fellBehind;
      }
      return {
        at: now,
        polls: answers + failedPolls,
        failedPolls,
        failedPollsByReason: { ...failedPollsByReason },
        freshRecords,
        missing,
        duplicates,
        staleReads,
        reordered,
        fellBehind,
        stalls: finishedStalls + (stalledNow ? 1 : 0),
        longestStallMs: Math.max(longestFinishedStallMs, stalledNow ? currentStallMs : 0),
        currentStallMs,
        stallDurationsMs: [...stallDurationsMs],
        latency: latencies.recent(now),
        lastConsumer,
        producers: perProducer,
      };
    },

    watchFault(t0) {
      return watchFault(t0).bound;
    },

    recoveryTime(t0, now) {
      const watch = watchFault(t0);
      if (now > t0 && waitingSince !== undefined && now - waitingSince > stallMs) return undefined;
      if (!watch.noticed) return 0;
      return watch.recoveredAt === undefined ? undefined : watch.recoveredAt - t0;
    },
  };
}
