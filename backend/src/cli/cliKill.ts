import { KILL_MODES, type KillMode } from "../contract/targets.ts";
import { formatTime } from "../chaos/reports/reportFormat.ts";
import { cliConfigOf } from "./cliConfig.ts";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { COMMAND_USAGE } from "./cliUsage.ts";
import { createControlClient } from "../contract/controlClient.ts";
import { CONTROL_FLAGS, parseFlags, UsageError } from "./parseFlags.ts";

const isKillMode = (mode: string): mode is KillMode =>
  (KILL_MODES as readonly string[]).includes(mode);

const partitions = (list: readonly number[]): string =>
  list.length === 0 ? "none" : list.join(", ");

/** `blackout kill <target>`: control's answer, or its refusal (exit 2 with control's reason). */
export async function cliKill(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    ...CONTROL_FLAGS,
    mode: { type: "string" },
    "dry-run": { type: "boolean" },
    force: { type: "boolean" },
  });
  if (values.help === true) {
    io.stdout(COMMAND_USAGE.kill);
    return ExitCode.ok;
  }
  const [target, ...extra] = positionals;
  if (target === undefined) throw new UsageError("which target? e.g. blackout kill consumer-1");
  if (extra.length > 0) throw new UsageError(`one target at a time (got ${positionals.join(" ")})`);
  const mode = values.mode;
  if (mode !== undefined && !isKillMode(mode)) {
    throw new UsageError(`--mode must be hard or graceful, got ${JSON.stringify(mode)}`);
  }
  const config = cliConfigOf(values);
  const control = createControlClient({
    baseUrl: config.BLACKOUT_CONTROL_URL,
    token: config.CONTROL_TOKEN,
  });
  const outcome = await control.inject({
    action: "kill",
    target,
    ...(mode !== undefined ? { mode } : {}),
    dryRun: values["dry-run"] === true,
    force: values.force === true,
  });
  if (outcome.kind === "planned") {
    const { plan } = outcome;
    io.stdout(
      `dry run: would kill ${plan.victim} (${plan.kind}, ${plan.mode ?? "graceful"})` +
        (plan.kind === "broker"
          ? `; partition leaders moving: ${partitions(plan.leadersMoving)}`
          : "") +
        "\n",
    );
    return ExitCode.ok;
  }
  const { fault } = outcome;
  io.stdout(
    `killed ${fault.target} (${fault.kind}, ${fault.mode ?? "graceful"}) at ${formatTime(fault.t0)}` +
      (fault.selector !== fault.target ? ` for ${fault.selector}` : "") +
      (fault.leads !== undefined ? `; it led partitions ${partitions(fault.leads)}` : "") +
      `\nfault ${fault.id}: its recovery times fill in as the lab recovers (blackout faults)\n`,
  );
  return ExitCode.ok;
}
