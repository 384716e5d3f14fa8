import { z } from "zod";
import {
  baseUrl,
  ConfigError,
  environmentWith,
  loadConfig,
  positiveDurationMs,
} from "../lib/config.ts";

const DEFAULT_CONTROL_URL = "http://127.0.0.1:8081";

/** What the `blackout` command reads from the environment; flags override it. */
export const cliConfigSchema = z.object({
  /** Control's base URL (`--control`). */
  BLACKOUT_CONTROL_URL: baseUrl(DEFAULT_CONTROL_URL).default(DEFAULT_CONTROL_URL),
  /** The operator token control was started with (`--token`); sent as a Bearer token. */
  CONTROL_TOKEN: z.string().min(1).optional(),
  /** How often `blackout run` asks control for the run's state. */
  BLACKOUT_POLL_MS: positiveDurationMs().default(1000),
});

export type CliConfig = z.output<typeof cliConfigSchema>;

/** Which flag sets a variable, so that an error names what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  BLACKOUT_CONTROL_URL: "--control",
  CONTROL_TOKEN: "--token",
};

/**
 * The settings with `--control` and `--token` applied over the environment (the same checks
 * apply to both). A wrong value throws a ConfigError naming the flag and the variable.
 */
export function cliConfigOf(flags: {
  control?: string | undefined;
  token?: string | undefined;
}): CliConfig {
  const overrides: Record<string, string> = {};
  if (flags.control !== undefined) overrides.BLACKOUT_CONTROL_URL = flags.control;
  if (flags.token !== undefined) overrides.CONTROL_TOKEN = flags.token;
  try {
    return loadConfig(cliConfigSchema, environmentWith(overrides));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      error.issues.map((issue) => {
        const flag = FLAG_OF[issue.variable];
        return flag === undefined ? issue : { ...issue, variable: `${flag} (${issue.variable})` };
      }),
    );
  }
}
