import { z } from "zod";
import { compactTime } from "./compactTime.ts";
import { KILL_MODES, TARGET_KINDS } from "./targets.ts";

/** Client recovery across the fleet for one fault (DESIGN §1); times in ms. */
export const clientRecoverySchema = z.object({
  clients: z.number(),
  /** Clients still degraded; the figures below are over the recovered ones. */
  pending: z.number(),
  neverNoticed: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** While `pending` > 0 the fleet's true max is at least this. */
  maxMs: z.number().nullable(),
});

/** What the clients' ledgers counted inside the fault window. */
export const windowTotalsSchema = z.object({
  missing: z.number(),
  duplicates: z.number(),
  staleReads: z.number(),
  failedPolls: z.number(),
  /**
   * Numbers clients skipped because they fell behind the view window: overload, not the fault.
   * Timelines and reports written before it was counted read 0.
   */
  fellBehind: z.number().default(0),
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

/**
 * When a fault is over as the lab saw it: t0 plus the longest of its three recovery times (pod,
 * the last client, lag); while open, `now` at least, since an unknown time is still running; a
 * report that timed out ends with its window, since what stayed unknown never recovered in it.
 * The dashboard's bands, the report's charts and Grafana's regions all end here.
 */
export function faultEnd(fault: Fault, now: number): number {
  const { report } = fault;
  const known = [report.podRecoveryMs, report.clientRecovery?.maxMs, report.lagRecoveryMs].filter(
    (ms): ms is number => typeof ms === "number",
  );
  const recovered = fault.t0 + Math.max(0, ...known);
  if (report.status === "open") return Math.max(recovered, now);
  return report.timedOut && report.windowEnd !== null ? report.windowEnd : recovered;
}

/** `kill (hard)`, `freeze 20 s`: what was done, in the dashboard, the reports and the CLI. */
export function faultActionOf(fault: Fault): string {
  return fault.action === "kill"
    ? `kill (${fault.mode ?? "graceful"})`
    : `freeze ${fault.seconds ?? "?"} s`;
}

/** Readable and unique enough: two faults on one target in the same millisecond cannot happen. */
export function faultId(t0: number, target: string): string {
  return `${compactTime(t0)}-${target}-${(t0 % 1000).toString().padStart(3, "0")}`;
}

/** `POST /api/faults`: a kill or a freeze of a target, named or chosen by a selector. */
export const faultRequestSchema = z
  .strictObject(
    {
      action: z.enum(["kill", "freeze"], { error: 'action must be "kill" or "freeze"' }),
      /** A selector: name, `random:<kind>`, `leader-of:<p>`, `most-leaders`, `controller`. */
      target: z
        .string({ error: "target must be a string" })
        .min(1, "target must not be empty")
        .max(100, "target must be at most 100 characters"),
      mode: z.enum(KILL_MODES, { error: 'mode must be "graceful" or "hard"' }).default("graceful"),
      seconds: z
        .number({ error: "seconds must be a number" })
        .int("seconds must be a whole number")
        .min(1, "seconds must be 1 to 600")
        .max(600, "seconds must be 1 to 600")
        .optional(),
      /** Plan only: which victim, which leaders would move; nothing is done. */
      dryRun: z.boolean({ error: "dryRun must be true or false" }).default(false),
      /** Past the MIN_ALIVE guard (never past the opt-in label or the namespace). */
      force: z.boolean({ error: "force must be true or false" }).default(false),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`
          : 'expected a JSON object like {"action": "kill", "target": "consumer-1", "mode": "hard"}',
    },
  )
  .refine((body) => body.action !== "freeze" || body.seconds !== undefined, {
    message: "freeze needs seconds (1 to 600)",
  })
  .refine((body) => body.action !== "kill" || body.seconds === undefined, {
    message: "seconds is for freeze only",
  });
/** What a caller sends; control fills in the defaults. */
export type FaultRequest = z.input<typeof faultRequestSchema>;

/** What a dry run answers: the victim and, for a broker, the partitions whose leader would move. */
export const faultPlanSchema = z.object({
  action: z.enum(["kill", "freeze"]),
  victim: z.string(),
  kind: z.enum(TARGET_KINDS),
  mode: z.enum(KILL_MODES).optional(),
  seconds: z.number().optional(),
  leadersMoving: z.array(z.number()),
});
export type FaultPlan = z.infer<typeof faultPlanSchema>;

/** `POST /api/faults` answers 200 with the plan of a dry run, 201 with the fault injected. */
export const faultAnswerSchema = z.union([
  z.object({ dryRun: z.literal(true), plan: faultPlanSchema }),
  faultSchema,
]);

export type FaultOutcome =
  | { readonly kind: "planned"; readonly plan: FaultPlan }
  | { readonly kind: "injected"; readonly fault: Fault };
