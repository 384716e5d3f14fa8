import { z } from "zod";

export const TARGET_KINDS = ["broker", "producer", "consumer"] as const;
/** What can be killed or frozen: brokers, producers and consumers. */
export type TargetKind = (typeof TARGET_KINDS)[number];

export const KILL_MODES = ["graceful", "hard"] as const;
/** graceful = SIGTERM / delete with the grace period; hard = SIGKILL / gracePeriodSeconds 0. */
export type KillMode = (typeof KILL_MODES)[number];

/**
 * running: the process/pod exists and is not frozen; frozen: stopped with SIGSTOP (gray failure);
 * stopped: not running, a replacement will be started (or is being started).
 */
export const TARGET_STATUSES = ["running", "frozen", "stopped"] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** One target as the orchestrator knows it (local supervisor or Kubernetes). */
export const targetSchema = z.object({
  /** Stable identity across restarts: `kafka-1`, `producer-0`, `consumer-2` (the pod name in k8s). */
  name: z.string(),
  kind: z.enum(TARGET_KINDS),
  status: z.enum(TARGET_STATUSES),
  /** Passing its readiness check (a frozen target is not ready). */
  ready: z.boolean(),
  /** Opted in to chaos (`blackout.dev/chaos=enabled`); a target without it is never touched. */
  chaos: z.boolean(),
  /** Times a replacement was started for it since the orchestrator began. */
  restarts: z.number(),
  /** When the current incarnation started (ms epoch); undefined while stopped. */
  startedAt: z.number().optional(),
  /** When it last became ready (ms epoch); undefined while it has not been ready since its start. */
  readySince: z.number().optional(),
  /** Local mode: the process id. */
  pid: z.number().optional(),
  /** Brokers: the Kafka node id, to join with Kafka's own view (leaders, controller). */
  nodeId: z.number().optional(),
  /**
   * Local mode, while the target is crash-looping: it exited by itself (not killed by the lab)
   * twice or more in a row before staying ready for a while, so its restarts are backed off.
   * `exits` in a row so far; `backoffMs`, how long its last restart waited. Absent otherwise.
   */
  crashLoop: z.object({ exits: z.number(), backoffMs: z.number() }).optional(),
});
export type Target = Readonly<z.infer<typeof targetSchema>>;

/** What the dashboard shows of a producer: its `GET /api/state`, as far as control uses it. */
export const producerFactsSchema = z.object({
  ratePerSecond: z.number(),
  paused: z.boolean(),
  lastAcknowledged: z.number(),
});
export type ProducerFacts = z.infer<typeof producerFactsSchema>;

/** A target as `GET /api/targets` and the topology show it: Kafka's facts and the guards' verdict. */
export const targetViewSchema = targetSchema.extend({
  /** Brokers: the partitions of the numbers topic it leads. */
  leads: z.array(z.number()).optional(),
  /** Brokers: whether it is the active KRaft controller. */
  controller: z.boolean().optional(),
  /** Producers: the rate and the last number Kafka acknowledged, when it answered. */
  producer: producerFactsSchema.optional(),
  /** Consumers: its group's lag in records; null when Kafka's view does not know it. */
  lag: z.number().nullable().optional(),
  /** Why a kill or freeze would be refused now; null when allowed. */
  refusal: z.string().nullable(),
});
export type TargetView = Readonly<z.infer<typeof targetViewSchema>>;

export const LIFECYCLE_EVENT_TYPES = [
  "terminated",
  "started",
  "ready",
  "unready",
  "frozen",
  "thawed",
  "crash-loop",
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

/** What the orchestrator saw happen to a target; control pushes it as the `lifecycle` event. */
export const lifecycleEventSchema = z.object({
  type: z.enum(LIFECYCLE_EVENT_TYPES),
  target: z.string(),
  kind: z.enum(TARGET_KINDS),
  /** ms epoch. */
  at: z.number(),
  /**
   * `terminated` only: true when this orchestrator killed it (a kill through control); false for
   * a termination from elsewhere (kubectl delete, `kill -9` by hand, a crash). Control records the
   * latter as faults too.
   */
  byUs: z.boolean().optional(),
  /**
   * Human-readable detail: `signal SIGKILL`, `exit code 1`, `pod deleted`; for `crash-loop` (local
   * mode: a restart backed off because the target keeps exiting soon after it starts), how many
   * exits in a row and how long the restart waits.
   */
  detail: z.string().optional(),
});
export type LifecycleEvent = Readonly<z.infer<typeof lifecycleEventSchema>>;
