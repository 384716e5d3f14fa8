import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  DEFAULT_MARGIN_PCT,
  writeReports,
  type WrittenReports,
} from "../chaos/reports/reportFiles.ts";
import { formatSloValue, verdictOf } from "../chaos/reports/reportFormat.ts";
import { compactTime } from "../contract/compactTime.ts";
import { scorecardSchema, type Scorecard } from "../contract/scorecard.ts";
import { cliConfigOf } from "./cliConfig.ts";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { COMMAND_USAGE } from "./cliUsage.ts";
import { ControlError, createControlClient, describeError } from "../contract/controlClient.ts";
import { followRun } from "./followRun.ts";
import { CONTROL_FLAGS, parseFlags, UsageError } from "./parseFlags.ts";
import { createProgressOutput } from "./progressOutput.ts";
import { textTable } from "./textTable.ts";

async function readBaseline(path: string): Promise<Scorecard | string> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    return `cannot read the baseline ${path}: ${describeError(error)}`;
  }
  const parsed = scorecardSchema.safeParse(json);
  return parsed.success
    ? parsed.data
    : `the baseline ${path} is not a Blackout report.json: ${parsed.error.issues[0]?.message ?? ""}`;
}

/** A scenario name as a directory name: nothing a shell or a file system would trip over. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "") || "run";
}

function summary(scorecard: Scorecard, written: WrittenReports, reportDir: string): string {
  const lines = [`${scorecard.run.scenario}: ${verdictOf(scorecard)}`];
  if (scorecard.slos.length > 0) {
    lines.push(
      "",
      textTable(
        ["SLO", "bound", "actual", "result"],
        scorecard.slos.map((slo) => [
          slo.name,
          `<= ${formatSloValue(slo.bound, slo.unit)}`,
          formatSloValue(slo.actual, slo.unit),
          slo.passed ? "pass" : "FAIL",
        ]),
      ),
    );
  }
  if (written.baseline !== undefined) {
    const { regressions, warnings } = written.baseline;
    lines.push("");
    if (regressions.length === 0) lines.push("baseline: no regression");
    for (const regression of regressions) lines.push(`baseline: REGRESSION: ${regression}`);
    for (const warning of warnings) lines.push(`baseline: warning: ${warning}`);
  }
  lines.push("", `report: ${join(reportDir, "report.md")}`);
  return `${lines.join("\n")}\n`;
}

/**
 * `blackout run <scenario.yaml>`: control runs the scenario (so that the dashboard and a script
 * would get the same scorecard); the CLI follows it, writes the reports and turns the verdict into
 * an exit code for CI.
 */
export async function cliRun(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    ...CONTROL_FLAGS,
    report: { type: "string" },
    baseline: { type: "string" },
    margin: { type: "string" },
  });
  if (values.help === true) {
    io.stdout(COMMAND_USAGE.run);
    return ExitCode.ok;
  }
  const [file, ...extra] = positionals;
  if (file === undefined)
    throw new UsageError("which scenario? e.g. blackout run broker-kill.yaml");
  if (extra.length > 0)
    throw new UsageError(`one scenario at a time (got ${positionals.join(" ")})`);
  const marginPct = values.margin === undefined ? DEFAULT_MARGIN_PCT : Number(values.margin);
  if (!Number.isFinite(marginPct) || marginPct < 0) {
    throw new UsageError(
      `--margin must be a percentage (0 or more), got ${JSON.stringify(values.margin)}`,
    );
  }
  const config = cliConfigOf(values);

  let scenario: string;
  try {
    scenario = await readFile(file, "utf8");
  } catch (error) {
    io.stderr(`cannot read ${file}: ${describeError(error)}\n`);
    return ExitCode.usage;
  }
  const baseline = values.baseline === undefined ? undefined : await readBaseline(values.baseline);
  if (typeof baseline === "string") {
    io.stderr(`${baseline}\n`);
    return ExitCode.usage;
  }

  const control = createControlClient({
    baseUrl: config.BLACKOUT_CONTROL_URL,
    token: config.CONTROL_TOKEN,
  });
  const output = createProgressOutput(io);
  // First Ctrl-C: abort the run, wait for its end, write the report. Second: stop waiting.
  const abort = new AbortController();
  const giveUp = new AbortController();
  io.onInterrupt(() => {
    if (!abort.signal.aborted) {
      output.say("aborting the run (Ctrl-C again to stop waiting for control)\n");
      abort.abort();
    } else if (!giveUp.signal.aborted) {
      output.say("not waiting for control any longer\n");
      giveUp.abort();
    }
  });

  const startedAt = io.now();
  let id: string;
  try {
    ({ id } = await control.startRun(scenario, basename(file), giveUp.signal));
  } catch (error) {
    if (giveUp.signal.aborted) return ExitCode.failed;
    if (!(error instanceof ControlError)) throw error;
    if (error.status === 400) io.stderr(`control rejected ${file}:\n${error.message}\n`);
    else if (error.status === 409) io.stderr(`cannot start: ${error.message}\n`);
    else io.stderr(`cannot start the run: ${describeError(error)}\n`);
    return ExitCode.usage;
  }
  io.stdout(`run ${id} started (${file} on ${control.baseUrl})\n`);

  const { state, lost } = await followRun(control, id, {
    pollMs: config.BLACKOUT_POLL_MS,
    now: io.now,
    startedAt,
    abort: abort.signal,
    giveUp: giveUp.signal,
    output,
  });
  output.finish();
  if (lost !== undefined) io.stderr(`lost control while following run ${id}: ${lost}\n`);
  if (state === undefined) {
    io.stderr(`no state of run ${id} to report\n`);
    return lost !== undefined ? ExitCode.usage : ExitCode.failed;
  }

  const scorecard = state.scorecard;
  const reportDir =
    values.report ??
    join(
      "blackout-report",
      `${safeName(scorecard.run.scenario)}-${compactTime(scorecard.run.startedAt)}`,
    );
  let written: WrittenReports;
  try {
    written = await writeReports(reportDir, scorecard, {
      ...(baseline !== undefined ? { baseline } : {}),
      marginPct,
    });
  } catch (error) {
    io.stderr(`cannot write the reports into ${reportDir}: ${describeError(error)}\n`);
    return ExitCode.usage;
  }
  io.stdout(summary(scorecard, written, reportDir));

  if (lost !== undefined) return ExitCode.usage;
  const held =
    state.status === "passed" &&
    scorecard.slos.every((slo) => slo.passed) &&
    (written.baseline?.regressions.length ?? 0) === 0;
  return held && !abort.signal.aborted ? ExitCode.ok : ExitCode.failed;
}
