import type { BaselineComparison } from "./baseline.ts";
import {
  clientRecoveryOf,
  faultStatusOf,
  formatSloValue,
  formatTime,
  verdictOf,
} from "./reportFormat.ts";
import { faultActionOf } from "../../contract/fault.ts";
import { formatDuration } from "../../contract/formatDuration.ts";
import type { Scorecard } from "../../contract/scorecard.ts";

export interface MarkdownOptions {
  /** The comparison with a baseline run, when one was given. */
  readonly baseline?: BaselineComparison;
}

/** Text for a table cell or a line: pipes and newlines would break the table. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${text.replace(/\r?\n/g, " ")}${fence}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

/** `+20.1 s` since the run started. */
function offset(scorecard: Scorecard, at: number | null): string {
  return at === null ? "–" : `+${formatDuration(at - scorecard.run.startedAt)}`;
}

/**
 * report.md: what a person reads after a run, in a pull request or a CI summary. Everything in it
 * comes from the scorecard (report.json holds the same and more).
 */
export function renderMarkdown(
  scorecard: Scorecard,
  charts: readonly { file: string; title: string }[],
  options: MarkdownOptions = {},
): string {
  const { run, lab } = scorecard;
  const lines: string[] = [`# Blackout run: ${cell(run.scenario)}`, ""];
  lines.push(`**${cell(verdictOf(scorecard))}**`, "");
  if (run.description !== "") lines.push(cell(run.description), "");

  const duration = run.endedAt === null ? "–" : formatDuration(run.endedAt - run.startedAt);
  lines.push(
    "## Run",
    "",
    `- scenario: ${code(run.scenario)}, seed ${run.seed} (the same seed picks the same victims)`,
    `- run: ${code(run.id)}, started by ${code(run.actor)}, status ${code(run.status)}`,
    `- started ${formatTime(run.startedAt)}, steps from ${formatTime(run.stepsStartedAt)}, ended ${formatTime(run.endedAt)} (${duration})`,
    `- lab: ${lab.mode}; Blackout ${lab.versions.blackout}, Kafka ${lab.versions.kafka}, Node ${lab.versions.node}`,
    `- config hash: ${code(lab.configHash)}`,
    "",
  );

  lines.push("## SLOs", "");
  if (scorecard.slos.length === 0) {
    lines.push("The scenario sets no SLOs.", "");
  } else {
    lines.push(
      ...table(
        ["SLO", "bound", "actual", "result"],
        scorecard.slos.map((slo) => [
          slo.name,
          `≤ ${formatSloValue(slo.bound, slo.unit)}`,
          formatSloValue(slo.actual, slo.unit),
          slo.passed ? "pass" : "**FAIL**",
        ]),
      ),
      "",
    );
  }
  if (scorecard.totals !== null) {
    const t = scorecard.totals;
    lines.push(
      `Over the run, clients saw ${t.missing} missing, ${t.duplicates} duplicate and ${t.staleReads} stale records, and ${t.failedPolls} failed polls${t.fellBehind > 0 ? `; they fell behind the consumers' view on ${t.fellBehind} records (overload, not a lost record)` : ""}.`,
      "",
    );
  }

  if (options.baseline !== undefined) {
    const { regressions, warnings } = options.baseline;
    lines.push("## Baseline", "");
    if (regressions.length === 0) lines.push("No regression against the baseline.");
    for (const regression of regressions) lines.push(`- **regression**: ${cell(regression)}`);
    for (const warning of warnings) lines.push(`- warning: ${cell(warning)}`);
    lines.push("");
  }

  lines.push("## Faults", "");
  if (scorecard.faults.length === 0) {
    lines.push("No fault was injected.", "");
  } else {
    lines.push(
      ...table(
        [
          "at",
          "target",
          "fault",
          "actor",
          "pod recovery",
          "client recovery p50 / p99 / max",
          "lag recovery",
          "floor (Kafka's)",
          "missing",
          "duplicates",
          "stale reads",
          "failed polls",
          "fell behind",
          "report",
        ],
        scorecard.faults.map((fault) => {
          const totals = fault.report.totals;
          const count = (pick: (t: NonNullable<typeof totals>) => number): string =>
            totals === null ? "–" : String(pick(totals));
          return [
            offset(scorecard, fault.t0),
            fault.selector === fault.target ? fault.target : `${fault.target} (${fault.selector})`,
            faultActionOf(fault),
            fault.actor,
            formatDuration(fault.report.podRecoveryMs),
            clientRecoveryOf(fault),
            formatDuration(fault.report.lagRecoveryMs),
            fault.floor === undefined
              ? "–"
              : `${formatDuration(fault.floor.ms)}: ${fault.floor.because}`,
            count((t) => t.missing),
            count((t) => t.duplicates),
            count((t) => t.staleReads),
            count((t) => t.failedPolls),
            count((t) => t.fellBehind),
            faultStatusOf(fault),
          ];
        }),
      ),
      "",
    );
  }

  lines.push("## Steps", "");
  if (scorecard.steps.length === 0) {
    lines.push("No step ran.", "");
  } else {
    lines.push(
      ...table(
        ["#", "step", "at", "outcome", "victim", "note"],
        scorecard.steps.map((step) => [
          String(step.index + 1),
          step.description,
          offset(scorecard, step.startedAt),
          step.outcome,
          step.victim ?? "",
          step.message ?? "",
        ]),
      ),
      "",
    );
  }

  if (charts.length > 0) {
    lines.push("## Charts", "", "Shaded: each fault, from its t0 until it recovered.", "");
    for (const chart of charts) {
      lines.push(`![${cell(chart.title).replace(/[[\]]/g, "")}](${encodeURI(chart.file)})`, "");
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
