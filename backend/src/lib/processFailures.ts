import { inspect } from "node:util";
import { ConfigError } from "./config.ts";

type Reporter = (reason: string, error: unknown) => void;

let report: Reporter | undefined;
let installed = false;

/** An error and its causes on one line: what a person needs, without the stack. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 5;) {
    parts.push(e instanceof Error ? e.message : typeof e === "string" ? e : inspect(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": caused by: ");
}

function install(): void {
  if (installed) return;
  installed = true;
  const fail = (reason: string) => (error: unknown) => {
    report?.(reason, error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  };
  process.on("uncaughtException", fail("uncaught exception"));
  process.on("unhandledRejection", fail("unhandled rejection"));
}

/**
 * An entry point's first call: until something better takes over (a service's logger, through
 * reportProcessFailuresTo), any failure nobody caught — a wrong setting, a port in use, a broker
 * that never answered — ends as one line on stderr naming the program, and a non-zero exit (2 for
 * a wrong setting), never a stack trace.
 */
export function handleProcessFailures(program: string): void {
  install();
  report = (_reason, error) => process.stderr.write(`${program}: ${describeError(error)}\n`);
}

/** From now on, uncaught failures go to `reporter` (then the process exits, as before). */
export function reportProcessFailuresTo(reporter: Reporter): void {
  install();
  report = reporter;
}
