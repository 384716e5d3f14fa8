import { formatDuration } from "../../../contract/formatDuration.ts";
import type { LedgerEvent, LedgerSnapshot } from "../../../ledger/ledger.ts";
import type { NumberStrips } from "./numberStrips.ts";
import type { ConnectionState } from "../../../ledger/recordsPoller.ts";

export interface ProducerView {
  readonly id: string;
  readonly head: string;
  readonly received: string;
  readonly missing: string;
  readonly missingAlarm: boolean;
  readonly strip: string;
}

/** Every text the page shows, keyed like its `data-testid`s; the page only copies them over. */
export interface PageView {
  readonly connection: string;
  readonly live: boolean;
  readonly consumer: string;
  readonly counters: {
    readonly missing: string;
    readonly duplicates: string;
    readonly stale: string;
    readonly "failed-polls": string;
    readonly stalls: string;
    readonly "longest-stall": string;
    readonly "current-stall": string;
    readonly "latency-p50": string;
    readonly "latency-p99": string;
    readonly "fresh-records": string;
    readonly polls: string;
  };
  /** Something went missing: DESIGN says it must be 0, so the page shows it in red. */
  readonly missingAlarm: boolean;
  /** Producers in id order. */
  readonly producers: readonly ProducerView[];
}

const NONE = "–";

/** What the page shows for a ledger snapshot and the poller's state at `now`. Free of the DOM. */
export function formatPageView(
  snapshot: LedgerSnapshot,
  connection: ConnectionState,
  strips: NumberStrips,
  now: number,
): PageView {
  const producers = Object.entries(snapshot.producers)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, producer]): ProducerView => ({
      id,
      head: String(producer.highest),
      received: String(producer.received),
      missing: String(producer.missing),
      missingAlarm: producer.missing > 0,
      strip: strips.numbers(id).join(" "),
    }));
  const { latency } = snapshot;
  return {
    connection: formatConnection(connection, now),
    live: connection.kind === "live",
    consumer: snapshot.lastConsumer ?? NONE,
    counters: {
      missing: String(snapshot.missing),
      duplicates: String(snapshot.duplicates),
      stale: String(snapshot.staleReads),
      "failed-polls": String(snapshot.failedPolls),
      stalls: String(snapshot.stalls),
      "longest-stall": snapshot.stalls === 0 ? NONE : formatDuration(snapshot.longestStallMs),
      "current-stall": formatDuration(snapshot.currentStallMs),
      "latency-p50": latency === undefined ? NONE : formatDuration(latency.p50),
      "latency-p99": latency === undefined ? NONE : formatDuration(latency.p99),
      "fresh-records": String(snapshot.freshRecords),
      polls: String(snapshot.polls),
    },
    missingAlarm: snapshot.missing > 0,
    producers,
  };
}

/** "live", "connecting", or "reconnecting (attempt 3, next in 1.8 s)". */
export function formatConnection(state: ConnectionState, now: number): string {
  switch (state.kind) {
    case "connecting":
      return "connecting";
    case "live":
      return "live";
    case "reconnecting": {
      const seconds = Math.max(0, state.nextAt - now) / 1000;
      return `reconnecting (attempt ${state.attempt}, next in ${seconds.toFixed(1)} s)`;
    }
  }
}

/** One line of the page's anomaly list, with the local time of day it was seen. */
export function formatEvent(event: LedgerEvent): string {
  const time = formatTimeOfDay(event.at);
  switch (event.type) {
    case "gap":
      return `${time} gap: ${event.producer} ${formatRun(event)} missing (from ${event.consumer})`;
    case "late":
      return `${time} late: ${event.producer} ${formatRun(event)} arrived (from ${event.consumer})`;
    case "duplicate":
      return `${time} duplicate: ${event.producer} ${formatRun(event)} (from ${event.consumer})`;
    case "fell-behind":
      return `${time} fell behind: ${event.producer} ${formatRun(event)} left ${event.consumer}'s view first`;
    case "stale":
      return `${time} stale read: ${event.consumer} at ${event.producer} ${event.head}, had ${event.had}`;
    case "poll-failed":
      return `${time} poll failed: ${event.reason}${event.detail === undefined ? "" : ` (${event.detail})`}`;
    case "stall-start":
      return `${time} stall: no fresh data since ${formatTimeOfDay(event.since)}`;
    case "stall-end":
      return `${time} stall over after ${formatDuration(event.durationMs)} (via ${event.consumer})`;
  }
}

function formatRun(event: { from: number; to: number }): string {
  return event.from === event.to ? String(event.from) : `${event.from}–${event.to}`;
}

function formatTimeOfDay(at: number): string {
  const date = new Date(at);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
}
