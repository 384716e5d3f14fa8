import { z } from "zod";
import { scorecardSchema } from "./scorecard.ts";

export const RUN_PHASES = ["steady", "steps", "settling", "done"] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** What `GET /api/runs/:id` and the socket.io `run` event carry. */
export const runStateSchema = z.object({
  id: z.string(),
  status: scorecardSchema.shape.run.shape.status,
  progress: z.object({
    phase: z.enum(RUN_PHASES),
    /** Steps begun so far (1-based while running one). */
    step: z.number(),
    steps: z.number(),
    message: z.string(),
  }),
  scorecard: scorecardSchema,
});
export type RunState = z.infer<typeof runStateSchema>;
export type RunProgress = RunState["progress"];

/** A run as `GET /api/runs` lists it. */
export const runSummarySchema = z.object({
  id: z.string(),
  scenario: z.string(),
  status: runStateSchema.shape.status,
  startedAt: z.number(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** `POST /api/runs`: a scenario file's text; control parses and validates it. */
export const runRequestSchema = z.strictObject(
  {
    scenario: z
      .string({ error: "scenario must be the scenario file's YAML text" })
      .min(1, "scenario must not be empty")
      .max(65_536, "scenario must be at most 64 KiB"),
    fileName: z
      .string()
      .regex(/^[\w./-]{1,200}$/, "fileName must be a plain file name")
      .default("scenario.yaml"),
    actor: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, "actor must be a short lower-case word such as cli")
      .default("api"),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`
        : 'expected a JSON object like {"scenario": "<YAML text>", "fileName": "x.yaml"}',
  },
);
export type RunRequest = z.input<typeof runRequestSchema>;

/** The answers of `POST /api/runs` and `POST /api/runs/:id/abort`. */
export const runStartedSchema = z.object({ id: z.string(), status: runStateSchema.shape.status });
export const runAbortingSchema = z.object({ id: z.string(), aborting: z.literal(true) });

/** `POST /api/stop`, the emergency stop: what was thawed and which runs were aborted. */
export const stoppedSchema = z.object({
  thawed: z.array(z.string()),
  aborted: z.array(z.string()),
});
export type Stopped = z.infer<typeof stoppedSchema>;
