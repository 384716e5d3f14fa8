import { z } from "zod";
import { scorecardSchema } from "../chaos/scorecard.ts";
import { faultSchema, type Fault } from "../services/control/fault.ts";
import { KILL_MODES, TARGET_KINDS, type KillMode } from "../chaos/orchestrator.ts";

/** Control answered with an error (`status`), or could not be reached (no status). */
export class ControlError extends Error {
  override readonly name = "ControlError";
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** For the user: control's own words, with the status when it answered with an error. */
export function describeError(error: unknown): string {
  if (error instanceof ControlError && error.status !== undefined && error.status >= 400) {
    return `control answered ${error.status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const runStateSchema = z.object({
  id: z.string(),
  status: z.enum(["running", "passed", "failed", "aborted", "error"]),
  progress: z.object({
    phase: z.enum(["steady", "steps", "settling", "done"]),
    step: z.number(),
    steps: z.number(),
    message: z.string(),
  }),
  scorecard: scorecardSchema,
});
export type RunState = z.infer<typeof runStateSchema>;
export type RunProgress = RunState["progress"];

/** A run as `GET /api/runs` lists it. */
const runSummarySchema = z.object({
  id: z.string(),
  scenario: z.string(),
  status: runStateSchema.shape.status,
  startedAt: z.number(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** A target as `GET /api/targets` lists it; only what the CLI shows. */
const targetSchema = z.object({
  name: z.string(),
  kind: z.enum(TARGET_KINDS),
  status: z.string(),
  ready: z.boolean(),
  restarts: z.number(),
  leads: z.array(z.number()).optional(),
  controller: z.boolean().optional(),
  refusal: z.string().nullable(),
});
export type TargetRow = z.infer<typeof targetSchema>;

const planSchema = z.object({
  action: z.enum(["kill", "freeze"]),
  victim: z.string(),
  kind: z.enum(TARGET_KINDS),
  mode: z.enum(KILL_MODES).optional(),
  seconds: z.number().optional(),
  leadersMoving: z.array(z.number()),
});
export type FaultPlan = z.infer<typeof planSchema>;

export interface KillRequest {
  readonly target: string;
  readonly mode?: KillMode;
  readonly dryRun: boolean;
  readonly force: boolean;
}

export type KillOutcome =
  | { readonly kind: "planned"; readonly plan: FaultPlan }
  | { readonly kind: "injected"; readonly fault: Fault };

export interface ControlClient {
  readonly baseUrl: string;
  /** Starts a scenario run from its YAML text; control validates it (400 with the reasons). */
  startRun(scenario: string, fileName: string, signal?: AbortSignal): Promise<{ id: string }>;
  run(id: string, signal?: AbortSignal): Promise<RunState>;
  /** The runs control still holds (its latest 50). */
  runs(): Promise<RunSummary[]>;
  abortRun(id: string, signal?: AbortSignal): Promise<void>;
  /** The emergency stop: thaws what is frozen and aborts runs. */
  stop(signal?: AbortSignal): Promise<void>;
  faults(): Promise<Fault[]>;
  kill(request: KillRequest): Promise<KillOutcome>;
  targets(): Promise<TargetRow[]>;
}

export interface ControlClientOptions {
  readonly baseUrl: string;
  readonly token?: string | undefined;
  /** Per request; a hung control must not hang the CLI. Default 10 s. */
  readonly timeoutMs?: number;
}

const errorBody = z.object({ error: z.string() });

/** Control's API (DESIGN §1 Control API) as the CLI uses it; answers are checked, not trusted. */
export function createControlClient(options: ControlClientOptions): ControlClient {
  const { baseUrl } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call<T>(
    method: "GET" | "POST",
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ControlError(`cannot reach control at ${baseUrl}: ${reasonOf(error)}`);
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const parsed = errorBody.safeParse(json);
      const message = parsed.success
        ? parsed.data.error
        : text.slice(0, 500) || response.statusText;
      throw new ControlError(message, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ControlError(
        `control answered ${method} ${path} with something unexpected: ${z.prettifyError(parsed.error)}`,
        response.status,
      );
    }
    return parsed.data;
  }

  const ignored = z.unknown();

  return {
    baseUrl,
    startRun(scenario, fileName, signal) {
      const body = { scenario, fileName, actor: "cli" };
      return call("POST", "/api/runs", z.object({ id: z.string() }), body, signal);
    },
    run(id, signal) {
      return call("GET", `/api/runs/${encodeURIComponent(id)}`, runStateSchema, undefined, signal);
    },
    async runs() {
      return (await call("GET", "/api/runs", z.object({ runs: z.array(runSummarySchema) }))).runs;
    },
    async abortRun(id, signal) {
      await call("POST", `/api/runs/${encodeURIComponent(id)}/abort`, ignored, {}, signal);
    },
    async stop(signal) {
      await call("POST", "/api/stop", ignored, {}, signal);
    },
    async faults() {
      return (await call("GET", "/api/faults", z.object({ faults: z.array(faultSchema) }))).faults;
    },
    async kill(request) {
      const body = {
        action: "kill",
        target: request.target,
        ...(request.mode !== undefined ? { mode: request.mode } : {}),
        dryRun: request.dryRun,
        force: request.force,
      };
      const answer = z.union([
        z.object({ dryRun: z.literal(true), plan: planSchema }),
        faultSchema,
      ]);
      const value = await call("POST", "/api/faults", answer, body);
      return "plan" in value
        ? { kind: "planned", plan: value.plan }
        : { kind: "injected", fault: value };
    },
    targets() {
      return call("GET", "/api/targets", z.array(targetSchema));
    },
  };
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in its cause. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
