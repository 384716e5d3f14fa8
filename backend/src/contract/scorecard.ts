import { z } from "zod";
import { faultSchema, windowTotalsSchema } from "./fault.ts";

/** The ledger totals over a run (what clients saw, after dedupe). */
export const COUNT_SLOS = ["missing", "duplicates", "staleReads", "failedPolls"] as const;
export type CountSlo = (typeof COUNT_SLOS)[number];
/** The worst recovery time (ms) over the run's faults: client p99, pod, lag. */
export const TIME_SLOS = ["clientRecoveryP99", "podRecovery", "lagRecovery"] as const;
export type TimeSlo = (typeof TIME_SLOS)[number];
export type SloName = CountSlo | TimeSlo;

/** One SLO's verdict: `actual` null when it could not be measured (which fails it). */
const sloResultSchema = z.object({
  name: z.enum([...COUNT_SLOS, ...TIME_SLOS]),
  /** At most this: records or polls for counts, ms for recovery times. */
  bound: z.number(),
  actual: z.number().nullable(),
  unit: z.enum(["records", "polls", "ms"]),
  passed: z.boolean(),
});

const stepResultSchema = z.object({
  index: z.number(),
  /** The step as written, e.g. `kill leader-of:0 (hard)`. */
  description: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  outcome: z.enum(["done", "refused", "skipped", "failed"]),
  /** kill/freeze: the fault it caused and the victim chosen. */
  faultId: z.string().optional(),
  victim: z.string().optional(),
  message: z.string().optional(),
});

/** One point of the clients' view during the run, for the report's charts. */
const seriesPointSchema = z.object({
  at: z.number(),
  missing: z.number(),
  staleReads: z.number(),
  failedPolls: z.number(),
  stalledClients: z.number(),
  latencyP50Ms: z.number().nullable(),
  latencyP99Ms: z.number().nullable(),
  /** Sum of the view consumers' group lag; null when Kafka's view was not available. */
  lag: z.number().nullable(),
});

/**
 * Everything about one scenario run: the replayable record (seed, victims, times, versions, a
 * hash of the lab's configuration), the faults with their reports, the totals, the SLO verdicts
 * and the series for charts. report.json is this; report.md and junit.xml are rendered from it.
 */
export const scorecardSchema = z.object({
  schemaVersion: z.literal(1),
  run: z.object({
    id: z.string(),
    scenario: z.string(),
    description: z.string(),
    seed: z.number(),
    /** Who started it: `cli`, `dashboard`, `api`. */
    actor: z.string(),
    startedAt: z.number(),
    /** When the steady window ended and the first step began. */
    stepsStartedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    status: z.enum(["running", "passed", "failed", "aborted", "error"]),
    abortReason: z.string().optional(),
  }),
  lab: z.object({
    mode: z.enum(["local", "kubernetes"]),
    versions: z.object({ blackout: z.string(), kafka: z.string(), node: z.string() }),
    /** sha256 of the lab's configuration (counts, rates, timeouts), to tell comparable runs apart. */
    configHash: z.string(),
    config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  steps: z.array(stepResultSchema),
  faults: z.array(faultSchema),
  totals: windowTotalsSchema.nullable(),
  slos: z.array(sloResultSchema),
  series: z.array(seriesPointSchema),
});

export type Scorecard = z.infer<typeof scorecardSchema>;
export type SloResult = z.infer<typeof sloResultSchema>;
export type StepResult = z.infer<typeof stepResultSchema>;
export type SeriesPoint = z.infer<typeof seriesPointSchema>;
