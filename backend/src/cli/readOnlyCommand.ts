import { cliConfigOf } from "./cliConfig.ts";
import type { CliIo } from "./cliIo.ts";
import { createControlClient, type ControlClient } from "../contract/controlClient.ts";
import { CONTROL_FLAGS, parseFlags, UsageError } from "./parseFlags.ts";

/**
 * The start of a command that only reads from control (`faults`, `status`): `--help` prints the
 * usage (undefined is returned: nothing more to do), no arguments beyond the control flags, and a
 * client for the configured control.
 */
export function readOnlyCommand(
  args: readonly string[],
  io: CliIo,
  usage: string,
): ControlClient | undefined {
  const { values, positionals } = parseFlags(args, CONTROL_FLAGS);
  if (values.help === true) {
    io.stdout(usage);
    return undefined;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(" ")}`);
  const config = cliConfigOf(values);
  return createControlClient({ baseUrl: config.BLACKOUT_CONTROL_URL, token: config.CONTROL_TOKEN });
}
