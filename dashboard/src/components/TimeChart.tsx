import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { FaultBand } from "../faultBands.ts";
import type { TimeTable } from "../timeTable.ts";

export interface ChartSeries {
  readonly column: string;
  readonly label: string;
  readonly color: string;
  /** The right-hand axis (`y2`) for a second unit. */
  readonly scale?: "y" | "y2";
  /** Points only, for events (a stall that ended) rather than a continuous value. */
  readonly points?: boolean;
}

export interface TimeChartProps {
  readonly title: string;
  readonly unit: string;
  readonly unit2?: string;
  readonly table: TimeTable;
  /** Moves when the table changed. */
  readonly version: number;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly FaultBand[];
  /** The time window shown (ms epoch). */
  readonly window: { readonly from: number; readonly to: number };
  /** A range dragged on the chart (ms epoch): every chart zooms to it. */
  readonly onZoom: (from: number, to: number) => void;
  readonly height?: number;
}

/**
 * One live time-series chart (uPlot: canvas, fast with an hour of 1 s points). Faults are bands
 * in the plot's overlay, each labelled with its id, so that they sit over every series and can be
 * found in the page like any other element.
 */
export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const shape = props.series
    .map((s) => `${s.column}/${s.scale ?? "y"}/${s.points ?? false}`)
    .join();

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const { series, unit, unit2, height = 180 } = latest.current;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { live: false },
      cursor: { sync: { key: "blackout" }, drag: { x: true, y: false, setScale: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] },
      },
      axes: [
        { stroke: "#6b7580", grid: { stroke: "#eef0f3" } },
        { stroke: "#6b7580", grid: { stroke: "#eef0f3" }, label: unit, size: 60 },
        ...(unit2 === undefined
          ? []
          : [
              {
                scale: "y2",
                side: 1,
                stroke: "#6b7580",
                grid: { show: false },
                label: unit2,
                size: 60,
              },
            ]),
      ],
      series: [
        {},
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          scale: s.scale ?? "y",
          spanGaps: false,
          ...(s.points
            ? { paths: () => null, points: { show: true, size: 7, fill: s.color } }
            : { points: { show: false } }),
        })),
      ],
      hooks: {
        draw: [(u) => drawBands(u, latest.current.bands)],
        setSelect: [
          (u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, "x") * 1000;
            const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onZoom(from, to);
          },
        ],
      },
    };
    const created = new uPlot(options, dataOf(latest.current), element);
    plot.current = created;
    const resize = new ResizeObserver(() => {
      created.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (u === null) return;
    u.setData(dataOf(props), false);
    u.setScale("x", { min: props.window.from / 1000, max: props.window.to / 1000 });
  }, [props.version, props.window.from, props.window.to, props.bands, shape]);

  return (
    <section className="chart" aria-label={props.title}>
      <h3>{props.title}</h3>
      <div ref={host} className="chart-plot" />
    </section>
  );
}

function dataOf(props: TimeChartProps): uPlot.AlignedData {
  const { table, series } = props;
  return [table.t.slice(), ...series.map((s) => table.column(s.column).slice())];
}

/** Positions one labelled band per fault over the plot area (CSS pixels of the overlay). */
function drawBands(u: uPlot, bands: readonly FaultBand[]): void {
  const over = u.over;
  for (const old of over.querySelectorAll(".fault-band")) old.remove();
  const min = u.scales.x?.min ?? 0;
  const max = u.scales.x?.max ?? 0;
  for (const [index, band] of bands.entries()) {
    const from = Math.max(band.from / 1000, min);
    const to = Math.min(band.to / 1000, max);
    if (to <= from) continue;
    const left = u.valToPos(from, "x");
    const width = Math.max(2, u.valToPos(to, "x") - left);
    const element = document.createElement("div");
    element.className = band.open ? "fault-band open" : "fault-band";
    element.dataset.faultId = band.id;
    element.style.left = `${left}px`;
    element.style.width = `${width}px`;
    element.title = `${band.id}: ${band.target}`;
    const label = document.createElement("span");
    label.textContent = band.id;
    // Near the right edge the id reads leftwards from the band's end, so it stays in the plot.
    if (left > over.clientWidth - 220) label.className = "from-end";
    // Faults close together would print their ids over each other: three rows of labels.
    label.style.top = `${(index % 3) * 13}px`;
    element.append(label);
    over.append(element);
  }
}
