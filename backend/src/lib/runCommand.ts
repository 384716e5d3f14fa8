import { spawn } from "node:child_process";

export interface RunCommandOptions {
  /** Said instead of a bare ENOENT when the command is not installed. */
  missingHint: string;
}

/**
 * Runs a short-lived command to completion and resolves with its standard output. The tail of
 * both streams goes into the error, because a failed format or Maven run is unreadable without it.
 */
export function runCommand(
  command: string,
  args: string[],
  options: RunCommandOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let tail = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      tail = (tail + chunk.toString()).slice(-8000);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-8000);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT" ? new Error(`${command} not found: ${options.missingHint}`) : error,
      );
    });
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(stdout);
      else {
        const how = signal ?? `code ${code}`;
        reject(new Error(`${command} ${args.slice(-6).join(" ")} failed (${how}):\n${tail}`));
      }
    });
  });
}
