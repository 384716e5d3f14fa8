import { clientRecoveryOf, faultStatusOf, formatTime } from "../chaos/reports/reportFormat.ts";
import { faultActionOf, type Fault } from "../contract/fault.ts";
import { formatDuration } from "../contract/formatDuration.ts";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { COMMAND_USAGE } from "./cliUsage.ts";
import { readOnlyCommand } from "./readOnlyCommand.ts";
import { textTable } from "./textTable.ts";

/** The timeline as a table, oldest first: one row per fault with its report. */
function faultTable(faults: readonly Fault[]): string {
  return textTable(
    [
      "t0",
      "target",
      "fault",
      "actor",
      "pod",
      "client p50 / p99 / max",
      "lag",
      "missing",
      "dup",
      "stale",
      "failed",
      "report",
    ],
    [...faults]
      .sort((a, b) => a.t0 - b.t0)
      .map((fault) => {
        const totals = fault.report.totals;
        return [
          formatTime(fault.t0),
          fault.target,
          faultActionOf(fault),
          fault.actor,
          formatDuration(fault.report.podRecoveryMs),
          clientRecoveryOf(fault),
          formatDuration(fault.report.lagRecoveryMs),
          ...(totals === null
            ? ["–", "–", "–", "–"]
            : [totals.missing, totals.duplicates, totals.staleReads, totals.failedPolls].map(
                String,
              )),
          faultStatusOf(fault),
        ];
      }),
  );
}

/** `blackout faults`. */
export async function cliFaults(args: readonly string[], io: CliIo): Promise<number> {
  const control = readOnlyCommand(args, io, COMMAND_USAGE.faults);
  if (control === undefined) return ExitCode.ok;
  const faults = await control.faults();
  io.stdout(faults.length === 0 ? "no faults yet\n" : `${faultTable(faults)}\n`);
  return ExitCode.ok;
}
