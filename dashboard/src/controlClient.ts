import type {
  ClientEvent,
  Fault,
  FaultPlan,
  FaultRequest,
  KafkaSample,
  RunListItem,
  RunState,
  ScenarioFile,
  SessionInfo,
  SourcedSummary,
  Topology,
} from "./contract.ts";

/** An answer of control's other than 2xx: its status and control's own explanation. */
export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ControlError";
    this.status = status;
  }
}

export type InjectOutcome =
  | { readonly kind: "injected"; readonly fault: Fault }
  | { readonly kind: "planned"; readonly plan: FaultPlan };

export interface ControlClient {
  session(): Promise<SessionInfo>;
  topology(): Promise<Topology>;
  faults(): Promise<Fault[]>;
  fleet(since: number): Promise<SourcedSummary[]>;
  anomalies(limit: number): Promise<ClientEvent[]>;
  kafkaSeries(since: number): Promise<KafkaSample[]>;
  scenarios(): Promise<ScenarioFile[]>;
  runs(): Promise<RunListItem[]>;
  run(id: string): Promise<RunState>;
  inject(request: FaultRequest): Promise<InjectOutcome>;
  emergencyStop(): Promise<{ thawed: string[]; aborted: string[] }>;
  startRun(yaml: string, fileName: string): Promise<{ id: string }>;
  abortRun(id: string): Promise<void>;
  /** Where a run's report file downloads from (a property: components take it unbound). */
  readonly reportUrl: (runId: string, file: string) => string;
}

export interface ControlClientOptions {
  /** Control's base URL; empty for the page's own origin (control serves the dashboard). */
  readonly base?: string;
  /** The operator token, when the operator gave one. */
  readonly token: () => string | undefined;
  readonly fetch?: typeof fetch;
}

/** Control's REST API (DESIGN §1) over fetch; every non-2xx answer is a ControlError. */
export function createControlClient(options: ControlClientOptions): ControlClient {
  const base = options.base ?? "";
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const token = options.token();
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token !== undefined && token !== "") headers.authorization = `Bearer ${token}`;
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: unknown } | undefined)?.error;
      throw new ControlError(
        response.status,
        typeof error === "string" ? error : `control answered ${response.status}`,
      );
    }
    return json as T;
  }

  const path = (id: string) => encodeURIComponent(id);
  return {
    session: () => call("GET", "/api/session"),
    topology: () => call("GET", "/api/topology"),
    faults: async () => (await call<{ faults: Fault[] }>("GET", "/api/faults")).faults,
    fleet: async (since) =>
      (await call<{ history: SourcedSummary[] }>("GET", `/api/fleet?since=${since}`)).history,
    anomalies: async (limit) =>
      (await call<{ anomalies: ClientEvent[] }>("GET", `/api/anomalies?limit=${limit}`)).anomalies,
    kafkaSeries: async (since) =>
      (await call<{ samples: KafkaSample[] }>("GET", `/api/kafka/series?since=${since}`)).samples,
    scenarios: async () =>
      (await call<{ scenarios: ScenarioFile[] }>("GET", "/api/scenarios")).scenarios,
    runs: async () => (await call<{ runs: RunListItem[] }>("GET", "/api/runs")).runs,
    run: (id) => call("GET", `/api/runs/${path(id)}`),
    async inject(request) {
      const answer = await call<Fault | { dryRun: true; plan: FaultPlan }>(
        "POST",
        "/api/faults",
        request,
      );
      return "plan" in answer
        ? { kind: "planned", plan: answer.plan }
        : { kind: "injected", fault: answer };
    },
    emergencyStop: () => call("POST", "/api/stop"),
    startRun: (yaml, fileName) =>
      call("POST", "/api/runs", { scenario: yaml, fileName, actor: "dashboard" }),
    async abortRun(id) {
      await call("POST", `/api/runs/${path(id)}/abort`);
    },
    reportUrl: (runId, file) => `${base}/api/runs/${path(runId)}/reports/${path(file)}`,
  };
}
