import { spawn } from "node:child_process";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { ExitCode, type CliIo } from "./cliIo.ts";
import { COMMAND_USAGE } from "./cliUsage.ts";

const LAB_MAIN = fileURLToPath(new URL("../lab/main.ts", import.meta.url));

/**
 * `blackout up`: the lab's own entry point (npm start's) in the foreground, its flags passed as
 * they are. Signals are forwarded, and the CLI waits for the lab to stop: exiting first would
 * leave the lab stopping behind the shell's prompt.
 */
export async function cliUp(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(COMMAND_USAGE.up);
    return ExitCode.ok;
  }
  const child = spawn(
    process.execPath,
    ["--disable-warning=TimeoutNegativeWarning", LAB_MAIN, ...args],
    { stdio: "inherit" },
  );
  io.onInterrupt((signal) => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    // A lab killed by a signal exits as a shell reports it: 128 + the signal's number.
    child.once("exit", (code, signal) =>
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
}
