import { ConfigError } from "../lib/config.ts";
import { cliFaults } from "./cliFaults.ts";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { cliKill } from "./cliKill.ts";
import { cliRun } from "./cliRun.ts";
import { cliStatus } from "./cliStatus.ts";
import { cliUp } from "./cliUp.ts";
import { USAGE } from "./cliUsage.ts";
import { ControlError, describeError } from "../contract/controlClient.ts";
import { UsageError } from "./parseFlags.ts";

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> =
  {
    up: cliUp,
    run: cliRun,
    faults: cliFaults,
    kill: cliKill,
    status: cliStatus,
  };

/** The `blackout` command: picks the command, and turns what went wrong into exit code 2. */
export async function cliMain(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(USAGE);
    return ExitCode.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    io.stderr(`${name === undefined ? "" : `unknown command ${JSON.stringify(name)}\n\n`}${USAGE}`);
    return ExitCode.usage;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`blackout ${name}: ${error.message}\nsee blackout ${name} --help\n`);
    } else if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
    } else if (error instanceof ControlError) {
      io.stderr(`${describeError(error)}\n`);
    } else {
      throw error;
    }
    return ExitCode.usage;
  }
}
