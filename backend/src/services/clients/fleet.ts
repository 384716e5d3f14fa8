import { createLedger, LEDGER_HISTORY_MS } from "../../ledger/ledger.ts";
import { percentile } from "../../ledger/percentile.ts";
import type { Ledger, LedgerEvent, LedgerSnapshot } from "../../ledger/ledger.ts";
import { summarizeLedgers } from "../../ledger/clientSummary.ts";
import type { ClientRecovery } from "../../contract/fault.ts";
import type { ClientSummary } from "../../contract/fleet.ts";
import type { LedgerRecord } from "../../contract/recordsAnswer.ts";
import { STEADY_STATE_MS } from "../../contract/steadyState.ts";
import { createRecordsPoller } from "../../ledger/recordsPoller.ts";
import type { FetchLike, RecordsPoller } from "../../ledger/recordsPoller.ts";
import { ConflictError, InvalidInputError } from "../../lib/errors.ts";
import { observeWithTrace } from "../../lib/metrics.ts";
import type { ClientsMetrics, PollResult } from "./clientsMetrics.ts";
import { inPollSpan, markPollSpan } from "./pollSpans.ts";

/** A ledger event with the simulated client that saw it: what control receives. */
export type FleetEvent = LedgerEvent & { readonly client: string };

/** The fleet's totals: every client's ledger added up. */
export type FleetSummary = ClientSummary;

/** Client recovery for one fault (DESIGN §1), per client and across the fleet. Times in ms. */
/** What control reads of a fault (the contract's ClientRecovery), and what only the fleet shows. */
export interface FaultRecovery extends ClientRecovery {
  readonly id: string;
  readonly t0: number;
  readonly at: number;
  /** Clients with a recovery time, the ones that never noticed the fault (0) included. */
  readonly recovered: number;
  /** Per client id: its recovery time, or null while it has not recovered. */
  readonly perClient: Readonly<Record<string, number | null>>;
}

export type WatchFaultResult =
  | { readonly kind: "created" }
  /** The same fault again (same id and t0): nothing changes. */
  | { readonly kind: "exists" };

export interface FleetOptions {
  readonly size: number;
  /** The base URL the clients poll `api/records` under: the gateway or the Service. */
  readonly targetUrl: string;
  readonly pollMs: number;
  readonly stallMs: number;
  readonly timeoutMs: number;
  /** Long-polling: how long a consumer may hold an answer; 0 polls every pollMs. */
  readonly longPollMs?: number;
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly random: () => number;
  readonly metrics: ClientsMetrics;
  /** Every anomaly event as it happens; unset, events are only counted in the metrics. */
  readonly onEvent?: (event: FleetEvent) => void;
  /** The summary of every housekeeping round. */
  readonly onSummary?: (summary: FleetSummary) => void;
  /**
   * The polls that failed since the last housekeeping round, counted by reason and detail (one
   * call a round, none when nothing failed): the metrics say how many failed, this says why.
   */
  readonly onFailures?: (failures: Record<string, number>) => void;
  /** How often stalls are checked, gauges set and `onSummary` called. Default 1 s. */
  readonly housekeepingMs?: number;
  /**
   * A fault's recovery times go into `recovery_seconds` when the next fault begins or this long
   * after its t0, whichever comes first. Default 60 s.
   */
  readonly faultWindowMs?: number;
}

export interface Fleet {
  readonly size: number;
  /** Starts every client at a random offset within one poll interval, and the housekeeping. */
  start(): void;
  /** Stops polling (polls in flight are aborted) and the housekeeping. */
  stop(): void;
  summary(): FleetSummary;
  /** One client's ledger snapshot; undefined for an index outside the fleet. */
  clientSnapshot(index: number): LedgerSnapshot | undefined;
  /**
   * Starts following a fault in every client's ledger. The same id with another t0 is a
   * ConflictError; a t0 the ledgers cannot measure from is an InvalidInputError.
   */
  watchFault(id: string, t0: number): WatchFaultResult;
  /** Undefined for a fault the fleet does not follow. */
  faultRecovery(id: string): FaultRecovery | undefined;
}

/** A t0 this far ahead of the fleet's clock is a clock problem of the sender, not a fault. */
const MAX_T0_AHEAD_MS = 10_000;
/** As many as each ledger follows at once; the oldest is forgotten first. */
const MAX_FAULTS = 16;

export function clientId(index: number): string {
  return `client-${index}`;
}

/** The index in a client id such as `client-7`; undefined when the id is not of that form. */
export function clientIndex(id: string): number | undefined {
  const match = /^client-(0|[1-9]\d{0,6})$/.exec(id);
  return match === null ? undefined : Number(match[1]);
}

interface SimulatedClient {
  readonly id: string;
  readonly ledger: Ledger;
  readonly poller: RecordsPoller;
}

interface WatchedFault {
  readonly t0: number;
  closed: boolean;
}

/**
 * N simulated clients, each with its own cursor (its poller) and its own ledger, polling the
 * records API like the page does. Per poll the work is the ledger's plus a few counter updates:
 * events are objects only when someone listens (`onEvent`), and nothing is logged per poll.
 */
export function createFleet(options: FleetOptions): Fleet {
  const { metrics, now } = options;
  const housekeepingMs = options.housekeepingMs ?? 1000;
  const faultWindowMs = options.faultWindowMs ?? 60_000;
  const url = `${options.targetUrl.replace(/\/+$/, "")}/api/records`;
  const faults = new Map<string, WatchedFault>();
  const startTimers = new Set<ReturnType<typeof setTimeout>>();
  let housekeeping: ReturnType<typeof setInterval> | undefined;
  let failures = new Map<string, number>();

  function handleEvents(id: string, events: readonly LedgerEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "duplicate":
          metrics.duplicateRecords.inc(event.to - event.from + 1);
          break;
        case "stale":
          metrics.staleReads.inc();
          break;
        case "stall-end":
          metrics.stallSeconds.observe(event.durationMs / 1000);
          break;
        default:
          break;
      }
      options.onEvent?.({ ...event, client: id });
    }
  }

  function createClient(index: number): SimulatedClient {
    const id = clientId(index);
    const ledger = createLedger({ stallMs: options.stallMs });
    const poller = createRecordsPoller({
      url,
      pollMs: options.pollMs,
      timeoutMs: options.timeoutMs,
      waitMs: options.longPollMs ?? 0,
      fetch: options.fetch,
      now,
      random: options.random,
      // ±10 % per poll (DESIGN: clients poll every POLL_MS "with jitter").
      jitter: 0.1,
      aroundPoll: inPollSpan(id),
      onAnswer: (answer, receivedAt, roundTripMs) => {
        metrics.pollSeconds.observe(roundTripMs / 1000);
        const { fresh, events } = ledger.recordAnswer(answer, receivedAt);
        const latency = newestLatency(fresh, receivedAt);
        if (latency !== undefined) observeWithTrace(metrics.latencySeconds, latency / 1000);
        handleEvents(id, events);
        const result = isStale(events) ? "stale" : "ok";
        metrics.polls.inc({ result });
        markPollSpan(result);
      },
      onFailure: (at, reason, detail) => {
        handleEvents(id, ledger.recordFailure(at, reason, detail));
        const result: PollResult = reason === "timeout" || reason === "refused" ? reason : "failed";
        const why = `${reason}: ${detail}`;
        failures.set(why, (failures.get(why) ?? 0) + 1);
        metrics.polls.inc({ result });
        markPollSpan(result, detail);
      },
    });
    return { id, ledger, poller };
  }

  const clients = Array.from({ length: options.size }, (_, index) => createClient(index));

  function summary(): FleetSummary {
    const at = now();
    return summarizeLedgers(
      clients.map((client) => client.ledger.snapshot(at)),
      at,
      options.stallMs,
    );
  }

  function recoveryTimes(fault: WatchedFault, at: number): (number | undefined)[] {
    return clients.map((client) => client.ledger.recoveryTime(fault.t0, at));
  }

  /** The fault's window is over: its recovery times go into the histogram, once. */
  function closeFault(fault: WatchedFault, at: number): void {
    fault.closed = true;
    for (const time of recoveryTimes(fault, at)) {
      if (time !== undefined) metrics.recoverySeconds.observe(time / 1000);
    }
  }

  function runHousekeeping(): void {
    const at = now();
    for (const client of clients) handleEvents(client.id, client.ledger.tick(at));
    for (const fault of faults.values()) {
      if (!fault.closed && at - fault.t0 >= faultWindowMs) closeFault(fault, at);
    }
    if (failures.size > 0) {
      options.onFailures?.(Object.fromEntries(failures));
      failures = new Map();
    }
    const current = summary();
    metrics.missingRecords.set(current.missing);
    metrics.fellBehindRecords.set(current.fellBehind);
    options.onSummary?.(current);
  }

  return {
    size: clients.length,
    start() {
      if (housekeeping !== undefined) return;
      metrics.clients.set(clients.length);
      // First polls spread over one interval, then ±10 % jitter per poll: a thousand clients
      // never poll in lockstep.
      for (const client of clients) {
        const timer = setTimeout(
          () => {
            startTimers.delete(timer);
            client.poller.start();
          },
          Math.floor(options.random() * options.pollMs),
        );
        startTimers.add(timer);
      }
      housekeeping = setInterval(runHousekeeping, housekeepingMs);
    },
    stop() {
      for (const timer of startTimers) clearTimeout(timer);
      startTimers.clear();
      for (const client of clients) client.poller.stop();
      clearInterval(housekeeping);
      housekeeping = undefined;
      metrics.clients.set(0);
    },
    summary,
    clientSnapshot(index) {
      return clients[index]?.ledger.snapshot(now());
    },
    watchFault(id, t0) {
      const existing = faults.get(id);
      if (existing !== undefined) {
        if (existing.t0 === t0) return { kind: "exists" };
        throw new ConflictError(`fault "${id}" is already followed with t0 ${existing.t0}`);
      }
      const at = now();
      const oldest = at - (LEDGER_HISTORY_MS - STEADY_STATE_MS);
      if (t0 < oldest) {
        throw new InvalidInputError(
          `t0 is ${at - t0} ms in the past; clients remember ${LEDGER_HISTORY_MS / 1000} s, so a fault with its minute of steady state must be at most ${(LEDGER_HISTORY_MS - STEADY_STATE_MS) / 1000} s old`,
        );
      }
      if (t0 > at + MAX_T0_AHEAD_MS) {
        throw new InvalidInputError(
          `t0 is ${t0 - at} ms in the future (at most ${MAX_T0_AHEAD_MS} ms allowed for clock skew)`,
        );
      }
      // DESIGN §1: the previous fault's window ends where this one begins.
      for (const fault of faults.values()) {
        if (!fault.closed && fault.t0 <= t0) closeFault(fault, at);
      }
      for (const client of clients) client.ledger.watchFault(t0);
      faults.set(id, { t0, closed: false });
      for (const forgotten of faults.keys()) {
        if (faults.size <= MAX_FAULTS) break;
        faults.delete(forgotten);
      }
      return { kind: "created" };
    },
    faultRecovery(id) {
      const fault = faults.get(id);
      if (fault === undefined) return undefined;
      const at = now();
      const times = recoveryTimes(fault, at);
      const perClient: Record<string, number | null> = {};
      const known: number[] = [];
      let neverNoticed = 0;
      times.forEach((time, index) => {
        perClient[clientId(index)] = time ?? null;
        if (time === undefined) return;
        known.push(time);
        if (time === 0) neverNoticed += 1;
      });
      return {
        id,
        t0: fault.t0,
        at,
        clients: clients.length,
        recovered: known.length,
        pending: clients.length - known.length,
        neverNoticed,
        p50Ms: percentile(known, 0.5),
        p99Ms: percentile(known, 0.99),
        maxMs: percentile(known, 1),
        perClient,
      };
    },
  };
}

function isStale(events: readonly LedgerEvent[]): boolean {
  return events.some((event) => event.type === "stale");
}

/**
 * The poll's latency as the ledger defines it for recovery: per producer, the age of its newest
 * fresh record; the producer furthest behind counts. Records come ordered by producer, then seq,
 * so a producer's newest is the last of its run.
 */
function newestLatency(fresh: readonly LedgerRecord[], receivedAt: number): number | undefined {
  let latency: number | undefined;
  for (let i = 0; i < fresh.length; i += 1) {
    const record = fresh[i];
    if (record === undefined || fresh[i + 1]?.producer === record.producer) continue;
    latency = Math.max(latency ?? -Infinity, receivedAt - record.ts);
  }
  return latency;
}
