import type { ClientSummary } from "./fleet.ts";

/** A summary where nothing happened unless `fields` says so. */
export function clientSummary(
  fields: Partial<ClientSummary> & Pick<ClientSummary, "at">,
): ClientSummary {
  return {
    clients: 1,
    polls: 0,
    failedPolls: 0,
    freshRecords: 0,
    missing: 0,
    duplicates: 0,
    staleReads: 0,
    reordered: 0,
    fellBehind: 0,
    stalls: 0,
    longestStallMs: 0,
    stalledClients: 0,
    clientsByConsumer: {},
    latencyP50Ms: null,
    latencyP99Ms: null,
    ...fields,
  };
}
