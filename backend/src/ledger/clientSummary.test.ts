import { expect, it } from "vitest";
import { summarizeLedgers } from "./clientSummary.ts";
import type { LedgerSnapshot } from "./ledger.ts";

function snapshot(overrides: Partial<LedgerSnapshot>): LedgerSnapshot {
  return {
    at: 0,
    polls: 10,
    failedPolls: 1,
    failedPollsByReason: {},
    freshRecords: 5,
    missing: 0,
    duplicates: 0,
    staleReads: 2,
    reordered: 0,
    fellBehind: 0,
    stalls: 0,
    longestStallMs: 0,
    currentStallMs: 0,
    stallDurationsMs: [],
    latency: undefined,
    lastConsumer: undefined,
    producers: {},
    ...overrides,
  };
}

it("adds clients up, counts who is stalled now and which consumer serves how many", () => {
  const summary = summarizeLedgers(
    [
      snapshot({ lastConsumer: "consumer-0", longestStallMs: 4000, currentStallMs: 2000 }),
      snapshot({ lastConsumer: "consumer-0", missing: 3 }),
      snapshot({ lastConsumer: "consumer-1", currentStallMs: 200 }),
      snapshot({}),
    ],
    1234,
    1500,
  );
  expect(summary).toMatchObject({
    at: 1234,
    clients: 4,
    polls: 40,
    failedPolls: 4,
    missing: 3,
    staleReads: 8,
    stalledClients: 1,
    longestStallMs: 4000,
    clientsByConsumer: { "consumer-0": 2, "consumer-1": 1 },
    latencyP50Ms: null,
  });
});
