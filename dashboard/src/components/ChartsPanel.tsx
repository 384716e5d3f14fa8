import { useEffect, useState } from "react";
import type { DashboardState } from "../createDashboard.ts";
import { faultBands } from "../faultBands.ts";
import { FLEET_COLUMNS } from "../fleetSeries.ts";
import { PRODUCED_COLUMN, consumedColumn, lagColumn } from "../kafkaChartSeries.ts";
import { formatClock } from "../format.ts";
import { TimeChart, type ChartSeries } from "./TimeChart.tsx";

/** What the charts show: the last minutes, live, or a fixed window (a fault, a dragged range). */
export type ChartView =
  | { readonly mode: "live"; readonly spanMs: number }
  | { readonly mode: "fixed"; readonly from: number; readonly to: number; readonly label: string };

export const LIVE_SPANS = [
  { label: "5 min", spanMs: 300_000 },
  { label: "15 min", spanMs: 900_000 },
  { label: "1 h", spanMs: 3_600_000 },
] as const;

const PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

export interface ChartsPanelProps {
  readonly state: DashboardState;
  readonly view: ChartView;
  readonly onView: (view: ChartView) => void;
  readonly now: () => number;
}

export function ChartsPanel({ state, view, onView, now }: ChartsPanelProps) {
  // Live charts slide with the clock even when no data arrives (that is when it matters).
  const [tick, setTick] = useState(() => now());
  useEffect(() => {
    if (view.mode !== "live") return;
    const timer = setInterval(() => setTick(now()), 1000);
    return () => clearInterval(timer);
  }, [view.mode, now]);
  const shown =
    view.mode === "live"
      ? { from: tick - view.spanMs, to: tick }
      : { from: view.from, to: view.to };
  const bands = faultBands(state.faults, tick);
  const onZoom = (from: number, to: number) =>
    onView({ mode: "fixed", from, to, label: `${formatClock(from)} – ${formatClock(to)}` });
  const consumers = state.kafka.consumers();
  const common = { bands, window: shown, onZoom, version: state.seriesVersion };

  const ledger: ChartSeries[] = [
    { column: FLEET_COLUMNS.missing, label: "missing (now)", color: "#d62728" },
    { column: FLEET_COLUMNS.fellBehind, label: "fell behind /s", color: "#8c564b" },
    { column: FLEET_COLUMNS.staleReads, label: "stale reads /s", color: "#ff7f0e" },
    { column: FLEET_COLUMNS.failedPolls, label: "failed polls /s", color: "#7f7f7f" },
  ];
  const stalls: ChartSeries[] = [
    { column: FLEET_COLUMNS.stalledClients, label: "clients stalled", color: "#9467bd" },
    {
      column: FLEET_COLUMNS.stallEndedS,
      label: "stall that ended (s)",
      color: "#d62728",
      scale: "y2",
      points: true,
    },
  ];
  const latency: ChartSeries[] = [
    { column: FLEET_COLUMNS.latencyP50Ms, label: "p50", color: "#1f77b4" },
    { column: FLEET_COLUMNS.latencyP99Ms, label: "p99", color: "#d62728" },
  ];
  const lag: ChartSeries[] = consumers.map((consumer, i) => ({
    column: lagColumn(consumer),
    label: consumer,
    color: PALETTE[i % PALETTE.length] ?? "#333",
  }));
  const throughput: ChartSeries[] = [
    { column: PRODUCED_COLUMN, label: "produced", color: "#000000" },
    ...consumers.map((consumer, i) => ({
      column: consumedColumn(consumer),
      label: `consumed by ${consumer}`,
      color: PALETTE[i % PALETTE.length] ?? "#333",
    })),
  ];

  const fleet = state.fleet.table;
  const kafka = state.kafka.table;
  const charts = [
    { title: "Missing records and stale reads", unit: "records", series: ledger, table: fleet },
    { title: "Stalls", unit: "clients", unit2: "seconds", series: stalls, table: fleet },
    { title: "End-to-end latency", unit: "ms", series: latency, table: fleet },
    { title: "Consumer lag", unit: "records", series: lag, table: kafka },
    { title: "Throughput", unit: "records/s", series: throughput, table: kafka },
  ];

  return (
    <section className="panel charts" aria-label="charts">
      <header className="panel-header">
        <h2>What clients and Kafka saw</h2>
        <div className="view-buttons" role="group" aria-label="time window">
          {LIVE_SPANS.map((span) => (
            <button
              key={span.label}
              type="button"
              className={view.mode === "live" && view.spanMs === span.spanMs ? "active" : ""}
              onClick={() => onView({ mode: "live", spanMs: span.spanMs })}
            >
              {span.label}
            </button>
          ))}
          {view.mode === "fixed" && (
            <span className="zoomed">
              {view.label}{" "}
              <button type="button" onClick={() => onView({ mode: "live", spanMs: 300_000 })}>
                back to live
              </button>
            </span>
          )}
        </div>
      </header>
      <div className="chart-grid">
        {charts.map((chart) => (
          <TimeChart key={chart.title} {...chart} {...common} />
        ))}
      </div>
    </section>
  );
}
