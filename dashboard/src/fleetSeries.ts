import type { ClientEvent, ClientSummary } from "../../backend/src/contract/fleet.ts";
import { createTimeTable, type TimeTable } from "./timeTable.ts";

/** The fleet chart's columns: gauges over all sources, and per-second counts. */
export const FLEET_COLUMNS = {
  /** Numbers clients are missing now (a gap can close when a late number arrives). */
  missing: "missing",
  /** Numbers skipped in that second because clients fell behind the view window: overload. */
  fellBehind: "fellBehind",
  /** Stale reads and failed polls in that second. */
  staleReads: "staleReads",
  failedPolls: "failedPolls",
  /** Clients in an outage now. */
  stalledClients: "stalledClients",
  /** The longest outage that ended in that second, in seconds. */
  stallEndedS: "stallEndedS",
  latencyP50Ms: "latencyP50Ms",
  latencyP99Ms: "latencyP99Ms",
} as const;

export interface FleetSeries {
  readonly table: TimeTable;
  addSummary(source: string, summary: ClientSummary): void;
  addEvents(events: readonly ClientEvent[]): void;
  /** Clients each consumer answered last, over the sources that reported lately. */
  clientsByConsumer(): Readonly<Record<string, number>>;
  /** Clients over the sources that reported lately (simulated and browser pages). */
  clients(): number;
}

export interface FleetSeriesOptions {
  readonly capacitySeconds?: number;
  /** A source silent this long (a closed browser tab, a stopped fleet) no longer counts. */
  readonly staleSourceMs?: number;
}

/**
 * What clients saw, second by second, from the summaries every source (the simulated fleet, each
 * browser page) pushes: its counters are totals since it started, so per-second counts are
 * differences per source (a restarted source counts from 0 again: a drop is not negative), and
 * gauges add the sources' latest values. Latency: p50 of the source with the most clients, p99
 * the worst source's, so one slow browser page shows rather than hides in an average.
 */
export function createFleetSeries(options: FleetSeriesOptions = {}): FleetSeries {
  const table = createTimeTable(options.capacitySeconds);
  const staleSourceMs = options.staleSourceMs ?? 5000;
  const latest = new Map<string, ClientSummary>();
  let newestAt = 0;

  const fresh = (): ClientSummary[] =>
    [...latest.values()].filter((s) => s.at >= newestAt - staleSourceMs);
  const add = (row: number, column: string, amount: number) =>
    table.set(row, column, (table.get(row, column) ?? 0) + amount);

  return {
    table,
    addSummary(source, summary) {
      const previous = latest.get(source);
      if (previous !== undefined && summary.at <= previous.at) return;
      latest.set(source, summary);
      newestAt = Math.max(newestAt, summary.at);
      const row = table.row(Math.floor(summary.at / 1000));
      if (row < 0) return;
      const {
        missing,
        fellBehind,
        staleReads,
        failedPolls,
        stalledClients,
        latencyP50Ms,
        latencyP99Ms,
      } = FLEET_COLUMNS;
      // The first summary of a source is its baseline: what it counted before is not this second's.
      add(
        row,
        staleReads,
        Math.max(0, summary.staleReads - (previous?.staleReads ?? summary.staleReads)),
      );
      add(
        row,
        fellBehind,
        Math.max(0, summary.fellBehind - (previous?.fellBehind ?? summary.fellBehind)),
      );
      add(
        row,
        failedPolls,
        Math.max(0, summary.failedPolls - (previous?.failedPolls ?? summary.failedPolls)),
      );
      const sources = fresh();
      table.set(
        row,
        missing,
        sources.reduce((sum, s) => sum + s.missing, 0),
      );
      table.set(
        row,
        stalledClients,
        sources.reduce((sum, s) => sum + (s.stalledClients ?? 0), 0),
      );
      const largest = sources
        .filter((s) => s.latencyP50Ms !== null && s.latencyP50Ms !== undefined)
        .sort((a, b) => b.clients - a.clients)[0];
      table.set(row, latencyP50Ms, largest?.latencyP50Ms ?? null);
      const p99s = sources.flatMap((s) =>
        typeof s.latencyP99Ms === "number" ? [s.latencyP99Ms] : [],
      );
      table.set(row, latencyP99Ms, p99s.length === 0 ? null : Math.max(...p99s));
    },
    addEvents(events) {
      for (const event of events) {
        if (event.type !== "stall-end" || typeof event.durationMs !== "number") continue;
        const row = table.row(Math.floor(event.at / 1000));
        const seconds = event.durationMs / 1000;
        table.set(
          row,
          FLEET_COLUMNS.stallEndedS,
          Math.max(table.get(row, FLEET_COLUMNS.stallEndedS) ?? 0, seconds),
        );
      }
    },
    clientsByConsumer() {
      const counts: Record<string, number> = {};
      for (const summary of fresh()) {
        for (const [consumer, clients] of Object.entries(summary.clientsByConsumer ?? {})) {
          counts[consumer] = (counts[consumer] ?? 0) + clients;
        }
      }
      return counts;
    },
    clients: () => fresh().reduce((sum, s) => sum + s.clients, 0),
  };
}
