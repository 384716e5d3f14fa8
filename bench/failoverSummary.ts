// From the repetitions of each fault to the published table: percentiles over the repetitions,
// the floor Kafka sets beside each figure, and recovery ÷ floor. Pure, so that what the table
// says is tested on its own.
import { escapeXml } from "../backend/src/chaos/reports/escapeXml.ts";
import { axisNumber, niceStep } from "../backend/src/chaos/reports/reportCharts.ts";
import { spread, type Spread } from "./spread.ts";

/** One repetition of one fault: what control's report and the producers' acknowledgments said. */
export interface FailoverSample {
  readonly settings: string;
  readonly fault: string;
  readonly rep: number;
  readonly faultId: string;
  readonly target: string;
  readonly podMs: number | null;
  /** The fleet's client recovery (0 when no client noticed the fault). */
  readonly client: { p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
  readonly clientsNoticed: number;
  readonly lagMs: number | null;
  /** The longest a producer went without an acknowledgment after t0. */
  readonly producerStallMs: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly staleReads: number;
  readonly failedPolls: number;
  readonly floor: { ms: number; because: string } | null;
  /** The report ran out of its window before every recovery time was known. */
  readonly timedOut: boolean;
}

export interface FailoverRow {
  readonly settings: string;
  readonly fault: string;
  readonly reps: number;
  readonly podMs: Spread;
  /** Over the repetitions, of each repetition's fleet p99. */
  readonly clientP99Ms: Spread;
  readonly lagMs: Spread;
  readonly producerStallMs: Spread;
  readonly missing: number;
  readonly duplicates: number;
  readonly timedOut: number;
  readonly floorMs: number | null;
  readonly floorBecause: string | null;
  /** p50 over the repetitions ÷ the floor; null where Kafka sets no floor. */
  readonly clientRatio: number | null;
  readonly lagRatio: number | null;
}

function ratio(value: number | null, floor: number | null): number | null {
  if (value === null || floor === null || floor <= 0) return null;
  return Math.round((value / floor) * 100) / 100;
}

/** One row per settings and fault, in the order they were first measured. */
export function summarize(samples: readonly FailoverSample[]): FailoverRow[] {
  const groups = new Map<string, FailoverSample[]>();
  for (const sample of samples) {
    const key = `${sample.settings}\u0000${sample.fault}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as FailoverSample;
    // The floor comes from each fault's settings; they are the same within one lab start.
    const floorMs = first.floor?.ms ?? null;
    const clientP99Ms = spread(group.map((s) => s.client.p99Ms));
    const lagMs = spread(group.map((s) => s.lagMs));
    return {
      settings: first.settings,
      fault: first.fault,
      reps: group.length,
      podMs: spread(group.map((s) => s.podMs)),
      clientP99Ms,
      lagMs,
      producerStallMs: spread(group.map((s) => s.producerStallMs)),
      missing: group.reduce((sum, s) => sum + s.missing, 0),
      duplicates: group.reduce((sum, s) => sum + s.duplicates, 0),
      timedOut: group.filter((s) => s.timedOut).length,
      floorMs,
      floorBecause: first.floor?.because ?? null,
      clientRatio: ratio(clientP99Ms.p50, floorMs),
      lagRatio: ratio(lagMs.p50, floorMs),
    };
  });
}

const s = (ms: number | null): string => (ms === null ? "—" : `${(ms / 1000).toFixed(1)}`);
const trio = (spread: Spread): string => `${s(spread.p50)} / ${s(spread.p99)} / ${s(spread.max)}`;
const times = (r: number | null): string => (r === null ? "—" : `${r.toFixed(1)}×`);

/** The Markdown table docs/benchmarks.md and bench/results/failover.md show. */
export function markdownTable(rows: readonly FailoverRow[]): string {
  const lines = [
    "| fault | settings | pod s (p50 / p99 / max) | client p99 s (p50 / p99 / max) | lag s (p50 / p99 / max) | producer stall s (p50 / max) | floor s | client ÷ floor | lag ÷ floor | missing | duplicates |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const timedOut = row.timedOut > 0 ? ` (${row.timedOut} of ${row.reps} timed out)` : "";
    lines.push(
      `| ${row.fault}${timedOut} | ${row.settings} | ${trio(row.podMs)} | ${trio(row.clientP99Ms)} | ${trio(row.lagMs)} | ${s(row.producerStallMs.p50)} / ${s(row.producerStallMs.max)} | ${s(row.floorMs)} | ${times(row.clientRatio)} | ${times(row.lagRatio)} | ${row.missing} | ${row.duplicates} |`,
    );
  }
  return lines.join("\n");
}

const SETTINGS_COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c"];

/**
 * Bars per fault: the p50 over the repetitions of the fleet's client p99 and of lag recovery for
 * each settings, with a black tick at the floor and a whisker to the max. No dependency: the SVG
 * is read from the repository and from a CI artifact.
 */
export function renderFailoverChart(rows: readonly FailoverRow[]): string {
  const faults = [...new Set(rows.map((r) => r.fault))];
  const settings = [...new Set(rows.map((r) => r.settings))];
  const measures = [
    { label: "client p99", pick: (r: FailoverRow) => r.clientP99Ms },
    { label: "lag", pick: (r: FailoverRow) => r.lagMs },
  ] as const;
  const width = 900;
  const height = 380;
  const plot = { left: 58, right: 16, top: 48, bottom: 92 };
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const highest = Math.max(
    1000,
    ...rows.flatMap((r) => [r.clientP99Ms.max ?? 0, r.lagMs.max ?? 0, r.floorMs ?? 0]),
  );
  const step = niceStep(highest / 1000 / 6);
  const top = Math.ceil(highest / 1000 / step) * step;
  const y = (ms: number) => plot.top + plotHeight - (ms / 1000 / top) * plotHeight;
  const slot = plotWidth / faults.length;
  const bars = settings.length * measures.length;
  const barWidth = Math.min(24, (slot - 16) / bars);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="18" font-size="14" font-weight="bold">Recovery after each fault (p50 over the repetitions, whisker to the max; black tick: the floor Kafka sets)</text>`,
  ];
  for (let value = 0; value <= top + 1e-9; value += step) {
    const at = y(value * 1000).toFixed(1);
    parts.push(
      `<line x1="${plot.left}" x2="${width - plot.right}" y1="${at}" y2="${at}" stroke="#e5e7eb"/>`,
      `<text x="${plot.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle" fill="#6b7280">${axisNumber(value)} s</text>`,
    );
  }
  faults.forEach((fault, f) => {
    const x0 = plot.left + f * slot + (slot - bars * barWidth) / 2;
    let i = 0;
    for (const [k, name] of settings.entries()) {
      const row = rows.find((r) => r.fault === fault && r.settings === name);
      for (const measure of measures) {
        const x = x0 + i * barWidth;
        i++;
        if (row === undefined) continue;
        const value = measure.pick(row);
        const color = SETTINGS_COLORS[k % SETTINGS_COLORS.length] ?? "#2563eb";
        const opacity = measure.label === "lag" ? 0.45 : 0.9;
        if (value.p50 !== null) {
          const yTop = y(value.p50);
          parts.push(
            `<rect x="${x.toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plot.top + plotHeight - yTop).toFixed(1)}" fill="${color}" fill-opacity="${opacity}"><title>${escapeXml(`${fault}, ${name}, ${measure.label}: p50 ${s(value.p50)} s, max ${s(value.max)} s`)}</title></rect>`,
          );
        }
        if (value.max !== null) {
          const mid = (x + (barWidth - 2) / 2).toFixed(1);
          parts.push(
            `<line x1="${mid}" x2="${mid}" y1="${y(value.p50 ?? 0).toFixed(1)}" y2="${y(value.max).toFixed(1)}" stroke="#111827"/>`,
          );
        }
        if (row.floorMs !== null) {
          parts.push(
            `<line x1="${x.toFixed(1)}" x2="${(x + barWidth - 2).toFixed(1)}" y1="${y(row.floorMs).toFixed(1)}" y2="${y(row.floorMs).toFixed(1)}" stroke="#000000" stroke-width="2"/>`,
          );
        }
      }
    }
    const label = plot.left + f * slot + slot / 2;
    parts.push(
      `<text x="${label.toFixed(1)}" y="${plot.top + plotHeight + 16}" text-anchor="middle">${escapeXml(fault)}</text>`,
    );
  });
  // The legend: one swatch per settings and measure.
  let lx = plot.left;
  const ly = height - 22;
  for (const [k, name] of settings.entries()) {
    for (const measure of measures) {
      const color = SETTINGS_COLORS[k % SETTINGS_COLORS.length] ?? "#2563eb";
      const opacity = measure.label === "lag" ? 0.45 : 0.9;
      parts.push(
        `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${color}" fill-opacity="${opacity}"/>`,
        `<text x="${lx + 16}" y="${ly + 1}">${escapeXml(`${name}: ${measure.label}`)}</text>`,
      );
      lx += 150;
    }
  }
  parts.push(`</svg>`);
  return `${parts.join("\n")}\n`;
}
