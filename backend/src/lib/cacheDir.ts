import { homedir } from "node:os";
import { join } from "node:path";

/** Where heavy downloads and builds (Kafka jars, Go binaries) are cached, outside git. */
export function defaultCacheDir(): string {
  return join(homedir(), ".cache", "blackout");
}
