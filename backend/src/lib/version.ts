import { readFileSync } from "node:fs";

/** The backend package's version, for reports that must say what ran. */
export const BLACKOUT_VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
