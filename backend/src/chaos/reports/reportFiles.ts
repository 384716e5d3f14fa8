import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compareWithBaseline, type BaselineComparison } from "./baseline.ts";
import { renderRunCharts } from "./reportCharts.ts";
import { renderJunit } from "./reportJunit.ts";
import { renderMarkdown } from "./reportMarkdown.ts";
import { scorecardSchema, type Scorecard } from "../../contract/scorecard.ts";

export interface WriteReportsOptions {
  /** An earlier run's scorecard to compare with. */
  readonly baseline?: Scorecard;
  /** How much worse (%) client recovery may get than the baseline's; default 20. */
  readonly marginPct?: number;
}

export interface WrittenReports {
  /** The paths written: report.json first, then report.md, junit.xml and the charts. */
  readonly files: string[];
  /** Present when a baseline was given. */
  readonly baseline?: BaselineComparison;
}

export const DEFAULT_MARGIN_PCT = 20;

export interface RenderedReports {
  /** File name and contents: report.json first, then report.md, junit.xml and the charts. */
  readonly files: readonly (readonly [name: string, text: string])[];
  /** Present when a baseline was given. */
  readonly baseline?: BaselineComparison;
}

/**
 * A run's reports as files: report.json (the scorecard, checked against its schema first, so that
 * a later `--baseline` of it is sure to load), report.md, junit.xml and the charts as SVG files.
 * The CLI writes them into a directory; control serves them for the dashboard's downloads.
 */
export function renderReports(
  scorecard: Scorecard,
  options: WriteReportsOptions = {},
): RenderedReports {
  const checked = scorecardSchema.parse(scorecard);
  const baseline =
    options.baseline === undefined
      ? undefined
      : compareWithBaseline(checked, options.baseline, {
          marginPct: options.marginPct ?? DEFAULT_MARGIN_PCT,
        });
  const extra = baseline === undefined ? {} : { baseline };
  const charts = renderRunCharts(checked);
  return {
    files: [
      ["report.json", `${JSON.stringify(checked, null, 2)}\n`],
      ["report.md", renderMarkdown(checked, charts, extra)],
      ["junit.xml", renderJunit(checked, extra)],
      ...charts.map((chart) => [chart.file, chart.svg] as const),
    ],
    ...extra,
  };
}

/** Writes a run's reports (renderReports) into `dir`, created when missing. */
export async function writeReports(
  dir: string,
  scorecard: Scorecard,
  options: WriteReportsOptions = {},
): Promise<WrittenReports> {
  const { files: contents, ...extra } = renderReports(scorecard, options);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of contents) {
    const path = join(dir, name);
    await writeFile(path, text);
    files.push(path);
  }
  return { files, ...extra };
}
