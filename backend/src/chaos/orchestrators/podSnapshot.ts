import type { V1Pod } from "@kubernetes/client-node";
import { TARGET_KINDS, type TargetKind } from "../../contract/targets.ts";

/** The labels the manifests in k8s/ put on every pod, and that the orchestrator reads. */
export const POD_LABELS = {
  partOf: "app.kubernetes.io/part-of",
  component: "app.kubernetes.io/component",
  chaos: "blackout.dev/chaos",
  /** Set by the StatefulSet controller (Kubernetes 1.28 and newer). */
  podIndex: "apps.kubernetes.io/pod-index",
} as const;

/** Every pod that can be a target: the lab's brokers, producers and consumers. */
export const TARGET_SELECTOR = `${POD_LABELS.partOf}=blackout,${POD_LABELS.component} in (${TARGET_KINDS.join(",")})`;

/**
 * What the orchestrator needs of a pod, the same whether the pod came from a list (where the
 * client turns timestamps into Dates) or from a watch event (where they are still strings).
 */
export interface PodSnapshot {
  readonly name: string;
  readonly uid: string;
  readonly kind: TargetKind | undefined;
  readonly chaos: boolean;
  /** The StatefulSet ordinal, when the pod has one. */
  readonly ordinal: number | undefined;
  /** A delete was accepted: the pod is terminating (or, in a DELETED event, gone). */
  readonly deleting: boolean;
  /** The grace period the delete was given, when the API server says. */
  readonly deletionGraceSeconds: number | undefined;
  readonly phase: string | undefined;
  readonly ready: boolean;
  /** When the Ready condition last changed (the API server's clock, whole seconds). */
  readonly readyChangedAt: number | undefined;
  /** When the main container started running. */
  readonly startedAt: number | undefined;
  /** Container restarts (a crash or a failed liveness probe) within this pod. */
  readonly restartCount: number;
  /** How the last restarted container ended, and when: `exit code 137 (Error)`. */
  readonly lastTermination:
    { readonly detail: string; readonly at: number | undefined } | undefined;
  /** The container `kubectl exec` picks: the default-container annotation, else the first. */
  readonly mainContainer: string | undefined;
  /** Owned by a controller (StatefulSet, ReplicaSet) that will create a replacement. */
  readonly replaced: boolean;
}

export function podSnapshot(pod: V1Pod): PodSnapshot {
  const metadata = pod.metadata ?? {};
  const labels = metadata.labels ?? {};
  const component = labels[POD_LABELS.component];
  const kind = TARGET_KINDS.find((k) => k === component);
  const statuses = pod.status?.containerStatuses ?? [];
  const readyCondition = pod.status?.conditions?.find((c) => c.type === "Ready");
  const mainContainer =
    metadata.annotations?.["kubectl.kubernetes.io/default-container"] ??
    pod.spec?.containers[0]?.name;
  const main = statuses.find((s) => s.name === mainContainer) ?? statuses[0];
  const restarted = statuses.find((s) => s.lastState?.terminated !== undefined);
  const terminated = restarted?.lastState?.terminated;
  return {
    name: metadata.name ?? "",
    uid: metadata.uid ?? "",
    kind,
    chaos: labels[POD_LABELS.chaos] === "enabled",
    ordinal: ordinalOf(labels[POD_LABELS.podIndex], metadata.name),
    deleting: metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null,
    deletionGraceSeconds: metadata.deletionGracePeriodSeconds,
    phase: pod.status?.phase,
    ready: readyCondition?.status === "True",
    readyChangedAt: millis(readyCondition?.lastTransitionTime),
    startedAt: millis(main?.state?.running?.startedAt),
    restartCount: statuses.reduce((sum, s) => sum + s.restartCount, 0),
    lastTermination:
      terminated === undefined
        ? undefined
        : {
            detail: `container ${restarted?.name} restarted: exit code ${terminated.exitCode}${
              terminated.reason === undefined ? "" : ` (${terminated.reason})`
            }`,
            at: millis(terminated.finishedAt),
          },
    mainContainer,
    replaced: (metadata.ownerReferences ?? []).some((owner) => owner.controller === true),
  };
}

function ordinalOf(podIndex: string | undefined, name: string | undefined): number | undefined {
  const raw = podIndex ?? /-(\d+)$/.exec(name ?? "")?.[1];
  return raw === undefined || !/^\d+$/.test(raw) ? undefined : Number(raw);
}

/** A timestamp from either source: a Date from a list, an RFC 3339 string from a watch. */
function millis(value: Date | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
