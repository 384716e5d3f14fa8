import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { BlackoutError } from "../lib/errors.ts";

/** The command line is wrong: the message says how, the exit code is 2. */
export class UsageError extends BlackoutError {
  override readonly name = "UsageError";

  constructor(message: string) {
    super("usage", message);
  }
}

/** The flags every command that talks to control takes. */
export const CONTROL_FLAGS = {
  control: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/** parseArgs, strict, with positionals; its errors (an unknown flag, a missing value) as UsageError. */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}
