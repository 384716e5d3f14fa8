import type { V1Pod } from "@kubernetes/client-node";
import { PodApiError, type PodApi, type PodWatch, type PodWatchEvent } from "./kubePodApi.ts";
import { podSnapshot, type PodSnapshot } from "./podSnapshot.ts";
import type { TargetKind } from "../../contract/targets.ts";

export interface PodFields {
  readonly uid?: string;
  readonly kind?: TargetKind | "gateway";
  readonly chaos?: boolean;
  readonly phase?: "Pending" | "Running" | "Failed";
  readonly ready?: boolean;
  readonly readyAt?: string;
  readonly deletionGraceSeconds?: number;
  readonly restartCount?: number;
}

/** A pod as the API server would send it, in JSON (timestamps as strings, as a watch has them). */
export function fakePod(name: string, fields: PodFields = {}): PodSnapshot {
  const phase = fields.phase ?? "Running";
  const ready = fields.ready ?? phase === "Running";
  const restarts = fields.restartCount ?? 0;
  const ordinal = /-(\d+)$/.exec(name)?.[1];
  const pod: V1Pod = {
    metadata: {
      name,
      uid: fields.uid ?? `${name}-uid-1`,
      labels: {
        "app.kubernetes.io/part-of": "blackout",
        "app.kubernetes.io/component": fields.kind ?? "consumer",
        ...(fields.chaos === false ? {} : { "blackout.dev/chaos": "enabled" }),
        ...(ordinal === undefined ? {} : { "apps.kubernetes.io/pod-index": ordinal }),
      },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "StatefulSet", name: "x", uid: "sts", controller: true },
      ],
      ...(fields.deletionGraceSeconds === undefined
        ? {}
        : {
            deletionTimestamp: "2026-01-01T00:01:00Z" as unknown as Date,
            deletionGracePeriodSeconds: fields.deletionGraceSeconds,
          }),
    },
    spec: { containers: [{ name: "main" }] },
    status: {
      phase,
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          lastTransitionTime: (fields.readyAt ?? "2026-01-01T00:00:10Z") as unknown as Date,
        },
      ],
      containerStatuses:
        phase === "Pending"
          ? []
          : [
              {
                name: "main",
                image: "blackout",
                imageID: "",
                ready,
                restartCount: restarts,
                state: { running: { startedAt: "2026-01-01T00:00:05Z" as unknown as Date } },
                ...(restarts > 0
                  ? {
                      lastState: {
                        terminated: {
                          exitCode: 137,
                          reason: "Error",
                          finishedAt: "2026-01-01T00:00:30Z" as unknown as Date,
                        },
                      },
                    }
                  : {}),
              },
            ],
    },
  };
  // A round trip through JSON: what a watch event carries.
  return podSnapshot(JSON.parse(JSON.stringify(pod)) as V1Pod);
}

export interface FakePodApi extends PodApi {
  /** The namespace as the next list sees it. */
  readonly pods: Map<string, PodSnapshot>;
  readonly calls: string[];
  /** Sends an event on the open watch (and keeps `pods` in step). */
  send(type: PodWatchEvent["type"], pod: PodSnapshot): void;
  /** Ends the open watch, as a dropped connection or an expired resource version would. */
  endWatch(error?: Error): void;
  /** How many watches were opened so far. */
  watches(): number;
  /** The next delete fails with this status. */
  failNextDelete(status: number): void;
}

export function createFakePodApi(initial: PodSnapshot[]): FakePodApi {
  const pods = new Map(initial.map((pod) => [pod.name, pod]));
  const calls: string[] = [];
  let onEvent: ((event: PodWatchEvent) => void) | undefined;
  let endOpen: ((error: Error | undefined) => void) | undefined;
  let opened = 0;
  let deleteFailure: number | undefined;
  return {
    server: "https://fake",
    pods,
    calls,
    list() {
      calls.push("list");
      return Promise.resolve({ pods: [...pods.values()], resourceVersion: String(calls.length) });
    },
    watch(_resourceVersion, listener): Promise<PodWatch> {
      opened += 1;
      onEvent = listener;
      const ended = new Promise<Error | undefined>((resolve) => (endOpen = resolve));
      return Promise.resolve({
        ended,
        stop: () => {
          onEvent = undefined;
          endOpen?.(undefined);
        },
      });
    },
    delete(name, uid, gracePeriodSeconds) {
      calls.push(`delete ${name} uid=${uid} grace=${gracePeriodSeconds ?? "default"}`);
      if (deleteFailure !== undefined) {
        const status = deleteFailure;
        deleteFailure = undefined;
        return Promise.reject(new PodApiError(`delete pod ${name}: ${status}`, status));
      }
      return Promise.resolve();
    },
    exec(name, container, command) {
      calls.push(`exec ${name}/${container} ${command.join(" ")}`);
      return Promise.resolve();
    },
    recordEvent(pod, reason) {
      calls.push(`event ${pod.name} ${reason}`);
      return Promise.resolve();
    },
    send(type, pod) {
      if (type === "DELETED") pods.delete(pod.name);
      else pods.set(pod.name, pod);
      onEvent?.({ type, pod });
    },
    endWatch(error) {
      onEvent = undefined;
      endOpen?.(error);
    },
    watches: () => opened,
    failNextDelete(status) {
      deleteFailure = status;
    },
  };
}
