import { escapeXml } from "./escapeXml.ts";
import { faultEnd } from "../../contract/fault.ts";
import type { Scorecard } from "../../contract/scorecard.ts";

/** One point; `tMs` is ms since the run started, a null value is a gap in the line. */
export interface ChartPoint {
  readonly tMs: number;
  readonly value: number | null;
}

export interface ChartSeries {
  readonly label: string;
  /** Any SVG colour. */
  readonly color: string;
  readonly points: readonly ChartPoint[];
}

/** A shaded stretch of time: a fault from its t0 until it recovered. */
export interface ChartBand {
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
}

export interface SvgChartOptions {
  readonly title: string;
  /** The y axis's label, e.g. `ms` or `records`. */
  readonly unit: string;
  /** The x axis runs from 0 to this (ms since the run started). */
  readonly endMs: number;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
  readonly width?: number;
  readonly height?: number;
}

export interface RunChart {
  /** A file name for the report's directory. */
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

const MARGIN = { left: 58, right: 16, top: 40, bottom: 38 } as const;
const BAND_FILL = "#f97316";
const BAND_TEXT = "#9a3412";
const AXIS = "#6b7280";
const GRID = "#e5e7eb";

/** 1, 2 or 5 times a power of ten: the tick step nearest above `raw`. */
export function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Seconds that read as time: at most ten ticks along the run. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

function timeStepS(endS: number): number {
  return TIME_STEPS_S.find((step) => endS / step <= 10) ?? niceStep(endS / 10);
}

/** Axis numbers: 1500 → `1500`, 25000 → `25k`, 0.5 → `0.5`; short enough for the left margin. */
export function axisNumber(value: number): string {
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toFixed(1))}k`;
  return String(Number(value.toFixed(2)));
}

const fixed = (n: number): string => n.toFixed(1);

/**
 * A small line chart over a run's time, with no dependency: the report is opened from a CI
 * artifact or a pull request, where nothing but the SVG itself can be counted on. Faults are
 * shaded bands labelled with their target, drawn under the lines.
 */
export function renderSvgChart(options: SvgChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 300;
  const plot = {
    x: MARGIN.left,
    y: MARGIN.top,
    w: width - MARGIN.left - MARGIN.right,
    h: height - MARGIN.top - MARGIN.bottom,
  };
  const endMs = Math.max(options.endMs, 1000);
  const values = options.series.flatMap((s) =>
    s.points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  const maxValue = values.length === 0 ? 0 : Math.max(...values);
  // Counts and milliseconds are whole numbers: no tick between 0 and 1.
  const yStep = Math.max(1, niceStep(Math.max(maxValue, 1) / 4));
  // Some headroom, so that a peak does not run along the top edge under the fault labels.
  const yMax = Math.max(yStep, Math.ceil((maxValue * 1.05) / yStep) * yStep);
  const xOf = (tMs: number): number =>
    plot.x + (Math.min(Math.max(tMs, 0), endMs) / endMs) * plot.w;
  const yOf = (value: number): number => plot.y + plot.h - (value / yMax) * plot.h;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.x}" y="18" font-size="14" font-weight="bold" fill="#111827">${escapeXml(options.title)}</text>`,
  ];

  // Legend, right-aligned on the title's line; its width is estimated (no text metrics here).
  let legendX = width - MARGIN.right;
  for (const series of [...options.series].reverse()) {
    const itemWidth = 22 + series.label.length * 6.2;
    legendX -= itemWidth + 12;
    parts.push(
      `<line x1="${fixed(legendX)}" y1="14" x2="${fixed(legendX + 16)}" y2="14" stroke="${escapeXml(series.color)}" stroke-width="2.5"/>`,
      `<text x="${fixed(legendX + 21)}" y="18" fill="#374151">${escapeXml(series.label)}</text>`,
    );
  }

  for (let value = 0; value <= yMax + yStep / 2; value += yStep) {
    const y = fixed(yOf(value));
    parts.push(
      `<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.w}" y2="${y}" stroke="${GRID}"/>`,
      `<text x="${plot.x - 6}" y="${y}" dy="0.32em" text-anchor="end" fill="${AXIS}">${axisNumber(value)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(14 ${fixed(plot.y + plot.h / 2)}) rotate(-90)" text-anchor="middle" fill="${AXIS}">${escapeXml(options.unit)}</text>`,
  );

  // Bands before the lines, so that a line is never hidden by a fault's shade.
  options.bands.forEach((band, index) => {
    const x1 = xOf(band.fromMs);
    const x2 = Math.max(xOf(band.toMs), x1 + 2);
    // Faults close in time would print their labels over each other: stagger them.
    const labelY = plot.y + 12 + (index % 3) * 13;
    parts.push(
      `<g class="fault">`,
      `<title>${escapeXml(band.label)}</title>`,
      `<rect x="${fixed(x1)}" y="${plot.y}" width="${fixed(x2 - x1)}" height="${plot.h}" fill="${BAND_FILL}" fill-opacity="0.15"/>`,
      `<line x1="${fixed(x1)}" y1="${plot.y}" x2="${fixed(x1)}" y2="${plot.y + plot.h}" stroke="${BAND_FILL}" stroke-dasharray="3 2"/>`,
      `<text x="${fixed(x1 + 3)}" y="${labelY}" fill="${BAND_TEXT}">${escapeXml(band.label)}</text>`,
      `</g>`,
    );
  });

  const stepS = timeStepS(endMs / 1000);
  for (let s = 0; s * 1000 <= endMs; s += stepS) {
    const x = fixed(xOf(s * 1000));
    parts.push(
      `<line x1="${x}" y1="${plot.y + plot.h}" x2="${x}" y2="${plot.y + plot.h + 4}" stroke="${AXIS}"/>`,
      `<text x="${x}" y="${plot.y + plot.h + 16}" text-anchor="middle" fill="${AXIS}">${s}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.x}" y1="${plot.y + plot.h}" x2="${plot.x + plot.w}" y2="${plot.y + plot.h}" stroke="${AXIS}"/>`,
    `<line x1="${plot.x}" y1="${plot.y}" x2="${plot.x}" y2="${plot.y + plot.h}" stroke="${AXIS}"/>`,
    `<text x="${fixed(plot.x + plot.w / 2)}" y="${height - 6}" text-anchor="middle" fill="${AXIS}">seconds since the run started</text>`,
  );

  for (const series of options.series) {
    const d = pathOf(series.points, xOf, yOf);
    if (d === "") continue;
    parts.push(
      `<path d="${d}" fill="none" stroke="${escapeXml(series.color)}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  if (values.length === 0) {
    parts.push(
      `<text x="${fixed(plot.x + plot.w / 2)}" y="${fixed(plot.y + plot.h / 2)}" text-anchor="middle" fill="${AXIS}">no data</text>`,
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A path with a new subpath after each gap; a lone point becomes a dot (`h0`, round caps). */
function pathOf(
  points: readonly ChartPoint[],
  xOf: (tMs: number) => number,
  yOf: (value: number) => number,
): string {
  const commands: string[] = [];
  let drawing = false;
  let runLength = 0;
  for (const point of points) {
    if (point.value === null || !Number.isFinite(point.value)) {
      if (drawing && runLength === 1) commands.push("h0");
      drawing = false;
      continue;
    }
    commands.push(`${drawing ? "L" : "M"}${fixed(xOf(point.tMs))} ${fixed(yOf(point.value))}`);
    runLength = drawing ? runLength + 1 : 1;
    drawing = true;
  }
  if (drawing && runLength === 1) commands.push("h0");
  return commands.join(" ");
}

/** Each of the run's faults from t0 to its end (faultEnd), an open one to the run's end. */
export function faultBands(scorecard: Scorecard, endMs: number): ChartBand[] {
  const start = scorecard.run.startedAt;
  return scorecard.faults.map((fault) => ({
    fromMs: fault.t0 - start,
    toMs: faultEnd(fault, start + endMs) - start,
    label: fault.target,
  }));
}

/**
 * The three charts of a run's report: what clients waited (latency), what they got wrong
 * (missing, stale reads, failed polls, counted from the run's start) and what Kafka saw (lag).
 */
export function renderRunCharts(scorecard: Scorecard): RunChart[] {
  const start = scorecard.run.startedAt;
  const points = scorecard.series;
  const lastAt = Math.max(
    scorecard.run.endedAt ?? start,
    ...points.map((p) => p.at),
    // What is known of each fault so far; an open one's band then reaches the run's end.
    ...scorecard.faults.map((f) => faultEnd(f, f.t0)),
  );
  const endMs = lastAt - start;
  const bands = faultBands(scorecard, endMs);
  const line = (
    label: string,
    color: string,
    pick: (p: Scorecard["series"][number]) => number | null,
  ): ChartSeries => ({
    label,
    color,
    points: points.map((p) => ({ tMs: p.at - start, value: pick(p) })),
  });
  const chart = (file: string, title: string, unit: string, series: ChartSeries[]): RunChart => ({
    file,
    title,
    svg: renderSvgChart({ title, unit, endMs, series, bands }),
  });
  return [
    chart("chart-latency.svg", "Client poll latency", "ms", [
      line("p50", "#2563eb", (p) => p.latencyP50Ms),
      line("p99", "#dc2626", (p) => p.latencyP99Ms),
    ]),
    chart("chart-ledger.svg", "What clients got wrong (since the run started)", "count", [
      line("missing", "#dc2626", (p) => p.missing),
      line("stale reads", "#d97706", (p) => p.staleReads),
      line("failed polls", "#7c3aed", (p) => p.failedPolls),
    ]),
    chart("chart-lag.svg", "Consumer group lag (view consumers, summed)", "records", [
      line("lag", "#059669", (p) => p.lag),
    ]),
  ];
}
