import { join } from "node:path";
import { z } from "zod";
import { FAILOVER_SETTINGS } from "../../chaos/scenarios/scenario.ts";
import { viewGroupSettings } from "../../kafka/viewGroupSettings.ts";
import { kafkaBrokersSetting, kafkaClientSettings } from "../../kafka/kafkaClient.ts";
import {
  commonConfigSchema,
  csv,
  httpServerSettings,
  baseUrl,
  bool,
  loadConfig,
  positiveDurationMs,
  nonNegativeInt,
  positiveInt,
  type Env,
} from "../../lib/config.ts";

/** Hosts that only this machine reaches: no operator token needed there (DESIGN §1 Safety). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The operator token: long enough that guessing it is not an option. */
export function controlTokenSetting() {
  return z.string().min(16, "expected at least 16 characters").optional();
}

const repository = join(import.meta.dirname, "../../../..");

/** What control reads from its environment (DESIGN §3 defaults: control on 8081). */
export const controlConfigSchema = commonConfigSchema
  .extend({
    ...httpServerSettings(8081),
    KAFKA_BROKERS: kafkaBrokersSetting(),
    ...kafkaClientSettings(),
    /** The topic the lab's records flow through (for leaders and lag). */
    NUMBERS_TOPIC: z.string().min(1).default("blackout.numbers"),
    /** Where the fault timeline is kept, so a restarted control loses no history. */
    FAULTS_TOPIC: z.string().min(1).default("blackout.faults"),
    /** Where scenario runs are kept, so a run a restart interrupted ends with its report. */
    RUNS_TOPIC: z.string().min(1).default("blackout.runs"),
    /** View consumers' groups are `<prefix><consumer name>`. */
    VIEW_GROUP_PREFIX: z.string().min(1).default("blackout-view-"),
    /** The view consumers' own group settings, for the floors of consumer faults. */
    ...viewGroupSettings(),
    /** What runs the lab's processes: the local supervisor, or pods through the Kubernetes API. */
    ORCHESTRATOR: z.enum(["local", "kubernetes"]).default("local"),
    /**
     * The failover settings the lab runs with (the local lab passes `tuned` for --tuned): shown
     * in reports, and a scenario written for the others is refused.
     */
    FAILOVER_SETTINGS: z.enum(FAILOVER_SETTINGS).default("typical"),
    /** Local mode: the lab supervisor's API. */
    SUPERVISOR_URL: baseUrl("http://127.0.0.1:8089").default("http://127.0.0.1:8089"),
    /**
     * Kubernetes mode: the one namespace whose pods are targets (DESIGN §1 Safety). The API server
     * is found the standard way: KUBECONFIG, ~/.kube/config, or the pod's service account.
     */
    KUBE_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a namespace name (a DNS label)")
      .refine((namespace) => namespace !== "kube-system", "kube-system is never a chaos target")
      .default("blackout"),
    /** The client fleet to tell of faults and ask for client recovery; unset, none is reported. */
    CLIENTS_URL: baseUrl("http://127.0.0.1:7300").optional(),
    /** Producers' APIs for scenarios' `rate` steps: `producer-0=http://127.0.0.1:7100,…`. */
    PRODUCER_URLS: csv(
      z
        .string()
        .regex(
          /^[a-z0-9-]+=https?:\/\/\S+$/,
          "expected name=URL, e.g. producer-0=http://127.0.0.1:7100",
        )
        .transform((item) => {
          const [name = "", url = ""] = item.split(/=(.*)/s);
          return [name, url.replace(/\/+$/, "")] as const;
        }),
    )
      .transform((pairs) => Object.fromEntries(pairs))
      .default({}),
    /** Needed for mutating calls; required when control is not bound to loopback. */
    CONTROL_TOKEN: controlTokenSetting(),
    /**
     * Origins besides this machine's whose client pages may report to control (CORS for
     * `POST /api/fleet/summary`): `https://lab.example,…`, where the consumers' page is reached by
     * a name. Pages on loopback (the local lab, compose, a port-forward) need no entry.
     */
    PAGE_ORIGINS: csv(
      z
        .string()
        .refine(
          (origin) => URL.canParse(origin) && new URL(origin).origin === origin,
          "expected an origin such as https://lab.example (scheme, host and port, no path)",
        ),
    ).default([]),
    /**
     * Beyond loopback, reading the lab (the API's GETs, socket.io) needs the operator token too,
     * unless this opens it to anyone who reaches control (compose publishes control on the host's
     * loopback only; Kubernetes puts kubectl's own access in front of it).
     */
    CONTROL_OPEN_READS: bool().default(false),
    /** A fault that would leave fewer ready replicas of a kind is refused unless forced. */
    MIN_ALIVE: nonNegativeInt().default(1),
    /**
     * Operator calls that do harm (`POST /api/faults` other than a dry run, `POST /api/runs`) are
     * rate limited: this many at once, then one more every FAULT_RATE_INTERVAL_MS. A person at the
     * dashboard or the CLI never comes near it (each kill is confirmed, a scenario runs alone); a
     * runaway script is held to about one kill a second, which the guards then still judge.
     */
    FAULT_RATE_BURST: positiveInt().default(5),
    FAULT_RATE_INTERVAL_MS: positiveDurationMs().default(1000),
    /** How often Kafka's view (leaders, controller, lag) is refreshed. */
    KAFKA_POLL_MS: positiveDurationMs().default(1000),
    /** The built dashboard (`npm run build --workspace dashboard`); a placeholder without it. */
    DASHBOARD_DIR: z
      .string()
      .min(1)
      .default(join(repository, "dashboard", "dist")),
    /** The scenario library the dashboard offers. */
    SCENARIOS_DIR: z.string().min(1).default(join(repository, "scenarios")),
    /** Grafana and the traces UI (Jaeger), linked from the dashboard when set. */
    GRAFANA_URL: baseUrl("http://127.0.0.1:3000").optional(),
    /**
     * A Grafana service account token (annotations:write): with it, control draws each fault in
     * Grafana as an annotation region, through GRAFANA_API_URL (or GRAFANA_URL).
     */
    GRAFANA_TOKEN: z.string().min(1).optional(),
    /** Where control reaches Grafana, when not at the browser's GRAFANA_URL (compose, Kubernetes). */
    GRAFANA_API_URL: baseUrl("http://grafana:3000").optional(),
    TRACES_URL: baseUrl("http://127.0.0.1:16686").optional(),
    /** A fault still open this long after t0 is closed with what is known. */
    FAULT_WINDOW_MS: positiveDurationMs().default(180_000),
    /** After the target is ready again, how long late effects are waited for. */
    SETTLE_MS: positiveDurationMs().default(5000),
    /** The least lag (records) counted as degraded for lag recovery. */
    LAG_FLOOR: positiveInt().default(100),
  })
  .superRefine((config, ctx) => {
    if (!isLoopback(config.HTTP_HOST) && config.CONTROL_TOKEN === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["CONTROL_TOKEN"],
        message: `required when HTTP_HOST (${config.HTTP_HOST}) is not loopback: mutating calls need an operator token`,
      });
    }
  });

export type ControlConfig = z.output<typeof controlConfigSchema>;

export function loadControlConfig(env?: Env): ControlConfig {
  return loadConfig(controlConfigSchema, env);
}
