import { z } from "zod";
import { KILL_MODES, TARGET_KINDS } from "../../chaos/orchestrator.ts";

/** Client recovery across the fleet for one fault (DESIGN §1); times in ms. */
export const clientRecoverySchema = z.object({
  clients: z.number(),
  /** Clients still degraded; the figures below are over the recovered ones. */
  pending: z.number(),
  neverNoticed: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});

/** What the clients' ledgers counted inside the fault window. */
const windowTotalsSchema = z.object({
  missing: z.number(),
  duplicates: z.number(),
  staleReads: z.number(),
  failedPolls: z.number(),
});

/**
 * The three recovery times of one fault and the ledger totals of its window (DESIGN §1). A time is
 * null until known; a fault is `complete` once all of them are known and have settled, or when its
 * window ran out (`timedOut`, the unknown ones stay null: the lab never recovered within it).
 */
const faultReportSchema = z.object({
  status: z.enum(["open", "complete"]),
  /** t0 → the target (or its replacement) ready again: what Kubernetes sees. */
  podRecoveryMs: z.number().nullable(),
  /** t0 → the last client recovered: what users see. */
  clientRecovery: clientRecoverySchema.nullable(),
  /** t0 → every view consumer's lag back within its steady-state bound: what Kafka sees. */
  lagRecoveryMs: z.number().nullable(),
  totals: windowTotalsSchema.nullable(),
  windowEnd: z.number().nullable(),
  timedOut: z.boolean(),
});

/**
 * One fault on the timeline, as appended to `blackout.faults` (the last record per id wins).
 * `actor` says who caused it: `api` (a call to control), `scenario:<run>` or `external` (a
 * termination control observed but did not cause: kubectl, `kill -9`, a crash).
 */
export const faultSchema = z.object({
  id: z.string(),
  t0: z.number(),
  target: z.string(),
  kind: z.enum(TARGET_KINDS),
  action: z.enum(["kill", "freeze"]),
  mode: z.enum(KILL_MODES).optional(),
  seconds: z.number().optional(),
  actor: z.string(),
  /** What was asked for: a name, `random:consumer`, `leader-of:0`, …; `observed` for external. */
  selector: z.string(),
  /** Brokers: the partitions the victim led at t0 (their leadership moves). */
  leads: z.array(z.number()).optional(),
  detail: z.string().optional(),
  /**
   * The floor Kafka sets for this fault (kafka/failoverFloor.ts), from the brokers' and
   * consumers' settings at t0; absent for a freeze, or when they could not be read.
   */
  floor: z.object({ ms: z.number(), because: z.string() }).optional(),
  report: faultReportSchema,
});

export type Fault = z.infer<typeof faultSchema>;
export type FaultReport = Fault["report"];
export type ClientRecovery = z.infer<typeof clientRecoverySchema>;
export type WindowTotals = z.infer<typeof windowTotalsSchema>;

export function openReport(): FaultReport {
  return {
    status: "open",
    podRecoveryMs: null,
    clientRecovery: null,
    lagRecoveryMs: null,
    totals: null,
    windowEnd: null,
    timedOut: false,
  };
}

/** Readable and unique enough: two faults on one target in the same millisecond cannot happen. */
export function faultId(t0: number, target: string): string {
  return `${new Date(t0)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${target}-${(t0 % 1000).toString().padStart(3, "0")}`;
}
