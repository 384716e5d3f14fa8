import { z } from "zod";

/** A scenario file as control lists it for the dashboard: what it is, its text, why not if broken. */
export const scenarioFileSchema = z.object({
  fileName: z.string(),
  /** The scenario's `name`, or the file name when the file does not parse. */
  name: z.string(),
  description: z.string(),
  steps: z.number(),
  yaml: z.string(),
  /** Set when the file is not a valid scenario: the parser's message (file, line, field). */
  error: z.string().optional(),
});
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
