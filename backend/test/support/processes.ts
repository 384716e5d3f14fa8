import { readdirSync } from "node:fs";
import { processMentions } from "../../src/kafka/localCluster.ts";

/** Live processes (pids) whose command line mentions `text`, e.g. a test cluster's directory. */
export function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && processMentions(pid, text));
}
