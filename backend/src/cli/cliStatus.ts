import { formatTime } from "../chaos/reports/reportFormat.ts";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { COMMAND_USAGE } from "./cliUsage.ts";
import type { ControlClient } from "../contract/controlClient.ts";
import type { TargetView } from "../contract/targets.ts";
import { readOnlyCommand } from "./readOnlyCommand.ts";
import { textTable } from "./textTable.ts";

/** A broker's part in Kafka: `controller, leads 0, 2`. */
function kafkaRole(target: TargetView): string {
  const parts: string[] = [];
  if (target.controller === true) parts.push("controller");
  if (target.leads !== undefined) {
    parts.push(target.leads.length === 0 ? "leads none" : `leads ${target.leads.join(", ")}`);
  }
  return parts.join(", ");
}

function targetTable(targets: readonly TargetView[]): string {
  return textTable(
    ["name", "kind", "status", "ready", "restarts", "kafka", "refusal"],
    targets.map((t) => [
      t.name,
      t.kind,
      t.status,
      t.ready ? "yes" : "no",
      String(t.restarts),
      kafkaRole(t),
      t.refusal ?? "",
    ]),
  );
}

/** The latest run with what it is doing (or how it ended). */
async function latestRunLine(control: ControlClient): Promise<string> {
  const runs = await control.runs();
  const latest = [...runs].sort((a, b) => b.startedAt - a.startedAt)[0];
  if (latest === undefined) return "latest run: none yet";
  const state = await control.run(latest.id);
  return `latest run: ${latest.id} ${latest.scenario} ${state.status}, started ${formatTime(latest.startedAt)}: ${state.progress.message}`;
}

/** `blackout status`. */
export async function cliStatus(args: readonly string[], io: CliIo): Promise<number> {
  const control = readOnlyCommand(args, io, COMMAND_USAGE.status);
  if (control === undefined) return ExitCode.ok;
  const [targets, latest] = await Promise.all([control.targets(), latestRunLine(control)]);
  io.stdout(`${targets.length === 0 ? "no targets" : targetTable(targets)}\n\n${latest}\n`);
  return ExitCode.ok;
}
