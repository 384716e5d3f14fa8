#!/usr/bin/env node
// The `blackout` command. Wiring only: the commands are in cli/.
import { constants } from "node:os";
import { cliMain } from "./cli/cliMain.ts";
import { handleProcessFailures } from "./lib/processFailures.ts";

handleProcessFailures("blackout");

const listeners: ((signal: NodeJS.Signals) => void)[] = [];
const interrupt = (signal: NodeJS.Signals): void => {
  // A command that did not ask for interrupts dies as any command would (128 + the signal).
  if (listeners.length === 0) process.exit(128 + constants.signals[signal]);
  for (const listener of listeners) listener(signal);
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);

process.exitCode = await cliMain(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY,
  // 0 on a terminal that does not say (a pty without a size): assume the usual width.
  columns: process.stdout.columns || 80,
  onInterrupt: (listener) => listeners.push(listener),
  now: Date.now,
});
