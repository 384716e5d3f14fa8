import type { Fault } from "../backend/src/contract/fault.ts";
import { fakeFault } from "../backend/src/contract/fault.fixture.ts";
import { clientSummary } from "../backend/src/contract/clientSummary.fixture.ts";
import { SOAK_DEFAULTS, type SoakRun } from "./soakSummary.ts";

/** A fault whose report completed with all three recovery times. */
export function recoveredFault(id: string, t0: number, fields: Partial<Fault> = {}): Fault {
  return {
    ...fakeFault(id, t0, {
      status: "complete",
      podRecoveryMs: 4000,
      clientRecovery: {
        clients: 20,
        pending: 0,
        neverNoticed: 0,
        p50Ms: 500,
        p99Ms: 600,
        maxMs: 700,
      },
      lagRecoveryMs: 5000,
      totals: { missing: 0, duplicates: 0, staleReads: 0, failedPolls: 0, fellBehind: 0 },
      windowEnd: t0 + 10_000,
    }),
    ...fields,
  };
}

/** A 30-minute soak where every check passes, unless `fields` says otherwise. */
export function fakeSoakRun(fields: Partial<SoakRun> = {}): SoakRun {
  const startedAt = 1_000_000;
  return {
    settings: { ...SOAK_DEFAULTS, minutes: 30, seed: 42, lab: {} },
    startedAt,
    endedAt: startedAt + 33 * 60_000,
    attempts: [
      { at: startedAt, label: "hard kill of consumer-1", outcome: "injected", faultId: "f1" },
      { at: startedAt + 30_000, label: "freeze kafka-2 9 s", outcome: "injected", faultId: "f2" },
      {
        at: startedAt + 60_000,
        label: "hard kill of consumer-2",
        outcome: "refused",
        reason: "MIN_ALIVE: it would leave 0 ready consumers, fewer than 1 (force overrides)",
      },
    ],
    spared: ["consumer-2"],
    faults: [
      recoveredFault("f1", startedAt),
      recoveredFault("f2", startedAt + 30_000, {
        target: "kafka-2",
        kind: "broker",
        action: "freeze",
        seconds: 9,
      }),
    ],
    ledger: clientSummary({ at: startedAt, clients: 20, duplicates: 2, staleReads: 40 }),
    serviceRestarts: { clients: 0, control: 0, gateway: 0 },
    readBack: {
      complete: true,
      partitions: [{ partition: 3, earliest: 0, latest: 72_000, readUpTo: 71_999 }],
      records: 72_000,
      undecodable: 0,
      producers: [
        {
          producer: "producer-0",
          lastAcknowledged: 36_000,
          records: 36_000,
          duplicates: 0,
          holes: [],
          missing: 0,
        },
      ],
    },
    memory: [
      {
        service: "consumer-2",
        measure: "after GC",
        mibPerHour: 12.5,
        residentMibPerHour: 80,
        samples: 350,
        incarnations: 1,
        fitted: 1,
        spanMs: 1_700_000,
        firstMib: 180,
        lastMib: 200,
        maxMib: 230,
        maxAfterGcMib: 60,
      },
      {
        service: "prometheus",
        measure: "resident",
        mibPerHour: 150,
        residentMibPerHour: 150,
        notJudged: "its head block holds 2 h of samples",
        samples: 380,
        incarnations: 1,
        fitted: 1,
        spanMs: 1_900_000,
        firstMib: 40,
        lastMib: 110,
        maxMib: 110,
        maxAfterGcMib: null,
      },
    ],
    ...fields,
  };
}
