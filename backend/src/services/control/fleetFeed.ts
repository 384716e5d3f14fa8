import type { ClientEvent, ClientSummary, SourcedSummary } from "../../contract/fleet.ts";
import type { WindowTotals } from "../../contract/fault.ts";

export interface FleetFeedOptions {
  /** How much summary history is kept per source (the dashboard's charts span an hour). */
  readonly historyMs?: number;
  /** Anomalies kept for `GET /api/anomalies`. */
  readonly maxEvents?: number;
}

export interface FleetFeed {
  addSummary(source: string, summary: ClientSummary): void;
  addEvents(events: readonly ClientEvent[]): void;
  /** The newest summary of each source. */
  latest(): SourcedSummary[];
  /** Summaries received at or after `since`, oldest first. */
  history(since: number): SourcedSummary[];
  /** The newest anomalies, newest last. */
  events(limit: number): ClientEvent[];
  /**
   * What every source's clients counted between `from` and `to`: per source the difference of
   * its last summary at or before each end, added up; null before any summary arrived.
   */
  totalsBetween(from: number, to: number): WindowTotals | null;
}

const COUNTERS = ["missing", "duplicates", "staleReads", "failedPolls", "fellBehind"] as const;

/**
 * What control knows of the clients: the summaries they push each second and their anomaly
 * events. A source is a fleet process or one browser page; each keeps its own totals, so a window's
 * figures are differences per source. A source that restarted counts from 0 again: a negative
 * difference is taken as 0 rather than hiding the source's other numbers.
 */
export function createFleetFeed(options: FleetFeedOptions = {}): FleetFeed {
  const historyMs = options.historyMs ?? 3_600_000;
  const maxEvents = options.maxEvents ?? 5000;
  const summaries = new Map<string, ClientSummary[]>();
  let events: ClientEvent[] = [];

  function lastAtOrBefore(list: readonly ClientSummary[], at: number): ClientSummary | undefined {
    let found: ClientSummary | undefined;
    for (const summary of list) {
      if (summary.at > at) break;
      found = summary;
    }
    return found;
  }

  return {
    addSummary(source, summary) {
      let list = summaries.get(source);
      if (list === undefined) {
        list = [];
        summaries.set(source, list);
      }
      // Out of order (a retried push): dropped, so the list stays sorted by time.
      const last = list.at(-1);
      if (last !== undefined && summary.at <= last.at) return;
      list.push(summary);
      const oldest = summary.at - historyMs;
      while (list[0] !== undefined && list[0].at < oldest) list.shift();
    },
    addEvents(batch) {
      events.push(...batch);
      if (events.length > 2 * maxEvents) events = events.slice(-maxEvents);
    },
    latest() {
      return [...summaries].flatMap(([source, list]) => {
        const summary = list.at(-1);
        return summary === undefined ? [] : [{ source, summary }];
      });
    },
    history(since) {
      return [...summaries]
        .flatMap(([source, list]) =>
          list.filter((s) => s.at >= since).map((summary) => ({ source, summary })),
        )
        .sort((a, b) => a.summary.at - b.summary.at);
    },
    events(limit) {
      return events.slice(-Math.min(limit, maxEvents));
    },
    totalsBetween(from, to) {
      if (summaries.size === 0) return null;
      const totals: WindowTotals = {
        missing: 0,
        duplicates: 0,
        staleReads: 0,
        failedPolls: 0,
        fellBehind: 0,
      };
      for (const list of summaries.values()) {
        const end = lastAtOrBefore(list, to);
        if (end === undefined) continue;
        // No summary before the window (a page opened during it, or control restarted and lost
        // the history): its first one is the baseline. What the source counted before that first
        // push is not attributed to the fault: better too little than a page's whole past.
        const start = lastAtOrBefore(list, from) ?? list[0] ?? end;
        for (const counter of COUNTERS) {
          totals[counter] += Math.max(0, end[counter] - start[counter]);
        }
      }
      return totals;
    },
  };
}
