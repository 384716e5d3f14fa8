import { describe, expect, it } from "vitest";
import { clientSummary } from "../../backend/src/contract/clientSummary.fixture.ts";
import type { ClientSummary } from "../../backend/src/contract/fleet.ts";
import { FLEET_COLUMNS, createFleetSeries } from "./fleetSeries.ts";

function summary(at: number, overrides: Partial<ClientSummary> = {}): ClientSummary {
  return clientSummary({ at, clients: 10, latencyP50Ms: 20, latencyP99Ms: 40, ...overrides });
}

describe("createFleetSeries", () => {
  it("counts per second as differences per source, and adds gauges over sources", () => {
    const series = createFleetSeries();
    series.addSummary("fleet", summary(1000, { staleReads: 50, failedPolls: 7 }));
    series.addSummary("page-a", summary(1200, { clients: 1, staleReads: 3, missing: 1 }));
    series.addSummary(
      "fleet",
      summary(2000, { staleReads: 54, failedPolls: 9, stalledClients: 2, fellBehind: 1200 }),
    );
    series.addSummary("page-a", summary(2100, { clients: 1, staleReads: 4, missing: 1 }));
    const { table } = series;
    expect(table.t).toEqual([1, 2]);
    // A source's first summary is its baseline: its past is not that second's.
    expect(table.column(FLEET_COLUMNS.staleReads)).toEqual([0, 5]);
    expect(table.column(FLEET_COLUMNS.failedPolls)).toEqual([0, 2]);
    expect(table.column(FLEET_COLUMNS.missing)).toEqual([1, 1]);
    expect(table.column(FLEET_COLUMNS.fellBehind)).toEqual([0, 1200]);
    expect(table.column(FLEET_COLUMNS.stalledClients)).toEqual([0, 2]);
  });

  it("takes p50 from the largest source and p99 from the worst, and drops silent sources", () => {
    const series = createFleetSeries({ staleSourceMs: 5000 });
    series.addSummary("fleet", summary(1000, { clients: 50, latencyP50Ms: 30, latencyP99Ms: 90 }));
    series.addSummary("page", summary(1500, { clients: 1, latencyP50Ms: 300, latencyP99Ms: 900 }));
    series.addSummary("fleet", summary(9000, { clients: 50, latencyP50Ms: 35, latencyP99Ms: 95 }));
    const { table } = series;
    expect(table.column(FLEET_COLUMNS.latencyP50Ms)).toEqual([30, 35]);
    // The page last spoke 7.5 s before: a closed tab, not a slow client.
    expect(table.column(FLEET_COLUMNS.latencyP99Ms)).toEqual([900, 95]);
    expect(series.clients()).toBe(50);
  });

  it("does not count a restarted source's reset as negative, and ignores a repeated summary", () => {
    const series = createFleetSeries();
    series.addSummary("fleet", summary(1000, { staleReads: 100 }));
    series.addSummary("fleet", summary(1000, { staleReads: 900 }));
    series.addSummary("fleet", summary(2000, { staleReads: 2 }));
    expect(series.table.column(FLEET_COLUMNS.staleReads)).toEqual([0, 0]);
  });

  it("marks the longest stall that ended in each second, and who serves how many clients", () => {
    const series = createFleetSeries();
    series.addSummary(
      "fleet",
      summary(1000, { clientsByConsumer: { "consumer-0": 6, "consumer-1": 4 } }),
    );
    series.addSummary(
      "page",
      summary(1100, { clients: 1, clientsByConsumer: { "consumer-1": 1 } }),
    );
    series.addEvents([
      { type: "stall-end", at: 3100, client: "c1", durationMs: 4000 },
      { type: "stall-end", at: 3900, client: "c2", durationMs: 6500 },
      { type: "stale", at: 3900, client: "c3" },
    ]);
    expect(series.table.t).toEqual([1, 3]);
    expect(series.table.column(FLEET_COLUMNS.stallEndedS)).toEqual([null, 6.5]);
    expect(series.clientsByConsumer()).toEqual({ "consumer-0": 6, "consumer-1": 5 });
  });
});
