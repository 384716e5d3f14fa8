import { z } from "zod";
import {
  faultAnswerSchema,
  faultSchema,
  type Fault,
  type FaultOutcome,
  type FaultRequest,
} from "./fault.ts";
import { BlackoutError } from "../lib/errors.ts";
import {
  clientEventSchema,
  fleetAnswerSchema,
  type ClientEvent,
  type SourcedSummary,
} from "./fleet.ts";
import { kafkaSampleSchema, type KafkaSample } from "./kafkaSnapshot.ts";
import {
  runAbortingSchema,
  runStartedSchema,
  runStateSchema,
  runSummarySchema,
  stoppedSchema,
  type RunState,
  type RunSummary,
  type Stopped,
} from "./runs.ts";
import { scenarioFileSchema, type ScenarioFile } from "./scenarioFile.ts";
import { targetViewSchema, type TargetView } from "./targets.ts";
import { sessionSchema, topologySchema, type SessionInfo, type Topology } from "./topology.ts";

/**
 * Control answered with an error (`status`), or could not be reached (no status): then, or for a
 * 5xx, asking again later may work.
 */
export class ControlError extends BlackoutError {
  override readonly name = "ControlError";

  constructor(message: string, status?: number) {
    super("control", message, {
      ...(status === undefined ? {} : { status }),
      retriable: status === undefined || status >= 500,
    });
  }
}

/** For the user: control's own words, with the status when it answered with an error. */
export function describeError(error: unknown): string {
  if (error instanceof ControlError && error.status !== undefined && error.status >= 400) {
    return `control answered ${error.status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface ControlClient {
  readonly baseUrl: string;
  /** Starts a scenario run from its YAML text; control validates it (400 with the reasons). */
  startRun(scenario: string, fileName: string, signal?: AbortSignal): Promise<{ id: string }>;
  run(id: string, signal?: AbortSignal): Promise<RunState>;
  /** The runs control still holds (its latest 50). */
  runs(): Promise<RunSummary[]>;
  abortRun(id: string, signal?: AbortSignal): Promise<void>;
  /** The emergency stop: thaws what is frozen and aborts runs. */
  stop(signal?: AbortSignal): Promise<Stopped>;
  faults(): Promise<Fault[]>;
  inject(request: FaultRequest): Promise<FaultOutcome>;
  targets(): Promise<TargetView[]>;
  /** What the caller may do (the token's verdict) and what the dashboard links to. */
  session(): Promise<SessionInfo>;
  topology(): Promise<Topology>;
  /** The clients' summaries received since `since` (ms epoch), oldest first. */
  fleet(since: number): Promise<SourcedSummary[]>;
  anomalies(limit: number): Promise<ClientEvent[]>;
  kafkaSeries(since: number): Promise<KafkaSample[]>;
  scenarios(): Promise<ScenarioFile[]>;
  /** Where a run's report file downloads from (a property: the dashboard passes it on unbound). */
  readonly reportUrl: (runId: string, file: string) => string;
}

export interface ControlClientOptions {
  /** Control's base URL; empty in the dashboard, which control serves itself. */
  readonly baseUrl: string;
  /** The operator token, or how to get the current one (the dashboard's is given at runtime). */
  readonly token?: string | (() => string | undefined) | undefined;
  /** Per request; a hung control must not hang the CLI. Default 10 s. */
  readonly timeoutMs?: number;
  /** Who starts runs, for their record: `cli` (default), `dashboard`. */
  readonly actor?: string;
}

const errorBody = z.object({ error: z.string() });

/** Control's API (DESIGN §1 Control API) as the CLI uses it; answers are checked, not trusted. */
export function createControlClient(options: ControlClientOptions): ControlClient {
  const { baseUrl } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { token } = options;
  const tokenOf = typeof token === "function" ? token : () => token;

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
          ...authorization(tokenOf()),
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

  return {
    baseUrl,
    startRun(scenario, fileName, signal) {
      const body = { scenario, fileName, actor: options.actor ?? "cli" };
      return call("POST", "/api/runs", runStartedSchema, body, signal);
    },
    run(id, signal) {
      return call("GET", `/api/runs/${encodeURIComponent(id)}`, runStateSchema, undefined, signal);
    },
    async runs() {
      return (await call("GET", "/api/runs", z.object({ runs: z.array(runSummarySchema) }))).runs;
    },
    async abortRun(id, signal) {
      await call(
        "POST",
        `/api/runs/${encodeURIComponent(id)}/abort`,
        runAbortingSchema,
        {},
        signal,
      );
    },
    stop(signal) {
      return call("POST", "/api/stop", stoppedSchema, {}, signal);
    },
    async faults() {
      return (await call("GET", "/api/faults", z.object({ faults: z.array(faultSchema) }))).faults;
    },
    async inject(request) {
      const body = {
        action: request.action,
        target: request.target,
        ...(request.mode !== undefined ? { mode: request.mode } : {}),
        ...(request.seconds !== undefined ? { seconds: request.seconds } : {}),
        ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
        ...(request.force !== undefined ? { force: request.force } : {}),
      };
      const value = await call("POST", "/api/faults", faultAnswerSchema, body);
      return "plan" in value
        ? { kind: "planned", plan: value.plan }
        : { kind: "injected", fault: value };
    },
    targets() {
      return call("GET", "/api/targets", z.array(targetViewSchema));
    },
    session() {
      return call("GET", "/api/session", sessionSchema);
    },
    topology() {
      return call("GET", "/api/topology", topologySchema);
    },
    async fleet(since) {
      return (await call("GET", `/api/fleet?since=${since}`, fleetAnswerSchema)).history;
    },
    async anomalies(limit) {
      const answer = z.object({ anomalies: z.array(clientEventSchema) });
      return (await call("GET", `/api/anomalies?limit=${limit}`, answer)).anomalies;
    },
    async kafkaSeries(since) {
      const answer = z.object({ samples: z.array(kafkaSampleSchema) });
      return (await call("GET", `/api/kafka/series?since=${since}`, answer)).samples;
    },
    async scenarios() {
      const answer = z.object({ scenarios: z.array(scenarioFileSchema) });
      return (await call("GET", "/api/scenarios", answer)).scenarios;
    },
    reportUrl: (runId, file) =>
      `${baseUrl}/api/runs/${encodeURIComponent(runId)}/reports/${encodeURIComponent(file)}`,
  };
}

function authorization(token: string | undefined): { authorization?: string } {
  return token === undefined || token === "" ? {} : { authorization: `Bearer ${token}` };
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in its cause. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
