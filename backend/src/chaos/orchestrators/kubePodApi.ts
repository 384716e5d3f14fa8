import { Writable } from "node:stream";
import {
  ApiException,
  CoreV1Api,
  Exec,
  KubeConfig,
  Watch,
  type V1Pod,
  type V1Status,
} from "@kubernetes/client-node";
import { BlackoutError } from "../../lib/errors.ts";
import { podSnapshot, type PodSnapshot } from "./podSnapshot.ts";

export interface PodWatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly pod: PodSnapshot;
}

export interface PodWatch {
  /** Settles when the stream ends for any reason: with the error, or undefined for a clean end. */
  readonly ended: Promise<Error | undefined>;
  stop(): void;
}

/**
 * The part of the Kubernetes API the orchestrator uses, bound to one namespace and the target
 * selector. The orchestrator's unit tests replace it with a fake; `createKubePodApi` is the real one.
 */
export interface PodApi {
  /** The API server the calls go to (for logs). */
  readonly server: string;
  list(): Promise<{ pods: PodSnapshot[]; resourceVersion: string }>;
  /** Pod changes after `resourceVersion` (from a list) until the stream ends or is stopped. */
  watch(resourceVersion: string, onEvent: (event: PodWatchEvent) => void): Promise<PodWatch>;
  /**
   * Deletes this incarnation of the pod (the uid is a precondition, so a replacement with the same
   * name is never hit); `gracePeriodSeconds` undefined means the pod's own.
   */
  delete(name: string, uid: string, gracePeriodSeconds: number | undefined): Promise<void>;
  /** Runs a command in a container; rejects unless it exits 0. */
  exec(name: string, container: string, command: readonly string[]): Promise<void>;
  /** A Kubernetes Event on the pod, so `kubectl describe` and `kubectl get events` show the fault. */
  recordEvent(pod: { name: string; uid: string }, reason: string, message: string): Promise<void>;
}

/**
 * A refusal from the API server, with its HTTP status (404 gone, 409 conflict, 403 forbidden);
 * without one (not reached) or for a 5xx, asking again later may work.
 */
export class PodApiError extends BlackoutError {
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super("pod_api", message, {
      ...options,
      ...(status === undefined ? {} : { status }),
      retriable: status === undefined || status >= 500,
    });
    this.name = "PodApiError";
  }
}

/**
 * Kubernetes config loaded the standard way: `KUBECONFIG`, then `~/.kube/config`, then the pod's
 * service account when running in a cluster.
 */
export function loadKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  const where = "KUBECONFIG, ~/.kube/config or a pod's service account";
  try {
    kubeConfig.loadFromDefault();
  } catch (error) {
    throw new Error(`cannot load the Kubernetes config (${where}): ${toError(error).message}`, {
      cause: error,
    });
  }
  // With none of them, client-node falls back to an unauthenticated localhost:8080.
  if (
    kubeConfig.getCurrentContext() === "loaded-context" &&
    kubeConfig.getCurrentCluster()?.server === "http://localhost:8080"
  ) {
    throw new Error(`no Kubernetes config found (${where})`);
  }
  return kubeConfig;
}

export interface KubePodApiOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly labelSelector: string;
  /** The component name on the Events it records. */
  readonly component: string;
}

const EXEC_TIMEOUT_MS = 10_000;

export function createKubePodApi(options: KubePodApiOptions): PodApi {
  const { kubeConfig, namespace, labelSelector } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const server = kubeConfig.getCurrentCluster()?.server ?? "(no cluster in the Kubernetes config)";

  async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw apiError(what, error);
    }
  }

  return {
    server,
    async list() {
      const answer = await call(`list pods in ${namespace}`, () =>
        core.listNamespacedPod({ namespace, labelSelector }),
      );
      return {
        pods: answer.items.map(podSnapshot),
        resourceVersion: answer.metadata?.resourceVersion ?? "",
      };
    },

    async watch(resourceVersion, onEvent) {
      let settle: (error: Error | undefined) => void = () => undefined;
      const ended = new Promise<Error | undefined>((resolve) => (settle = resolve));
      let failure: Error | undefined;
      let stopped = false;
      const controller = await new Watch(kubeConfig).watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { labelSelector, resourceVersion, allowWatchBookmarks: true },
        (type: string, object: unknown) => {
          if (stopped) return;
          if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") {
            onEvent({ type, pod: podSnapshot(object as V1Pod) });
          } else if (type === "ERROR") {
            // Typically 410 Gone: the resource version is too old; the caller lists again.
            const status = object as V1Status;
            failure = new PodApiError(`watch: ${status.message ?? "error"}`, status.code);
            stopped = true;
            controller.abort();
          }
        },
        (error: unknown) => {
          stopped = true;
          settle(failure ?? (error === null || error === undefined ? undefined : toError(error)));
        },
      );
      return {
        ended,
        stop() {
          stopped = true;
          controller.abort();
        },
      };
    },

    async delete(name, uid, gracePeriodSeconds) {
      await call(`delete pod ${namespace}/${name}`, () =>
        core.deleteNamespacedPod({
          name,
          namespace,
          body: {
            preconditions: { uid },
            ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
          },
        }),
      );
    },

    exec(name, container, command) {
      const what = `exec ${command.join(" ")} in ${namespace}/${name}`;
      let stderr = "";
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          stderr = (stderr + chunk.toString()).slice(-2000);
          done();
        },
      });
      return new Promise<void>((resolve, reject) => {
        let status: V1Status | undefined;
        new Exec(kubeConfig)
          .exec(namespace, name, container, [...command], sink, sink, null, false, (s) => {
            status = s;
          })
          .then(
            (socket) => {
              const timer = setTimeout(() => socket.close(), EXEC_TIMEOUT_MS);
              socket.on("close", () => {
                clearTimeout(timer);
                if (status?.status === "Success") resolve();
                else {
                  const why = status?.message ?? "no exit status (timed out or disconnected)";
                  reject(new PodApiError(`${what}: ${why} ${stderr}`.trim(), status?.code));
                }
              });
            },
            (error: unknown) => reject(apiError(what, error)),
          );
      });
    },

    async recordEvent(pod, reason, message) {
      const at = new Date();
      await call(`create an event on ${namespace}/${pod.name}`, () =>
        core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${pod.name}.blackout-` },
            involvedObject: {
              apiVersion: "v1",
              kind: "Pod",
              namespace,
              name: pod.name,
              uid: pod.uid,
            },
            reason,
            message,
            type: "Warning",
            source: { component: options.component },
            reportingComponent: options.component,
            firstTimestamp: at,
            lastTimestamp: at,
            count: 1,
          },
        }),
      );
    },
  };
}

function apiError(what: string, error: unknown): PodApiError {
  if (error instanceof ApiException) {
    // The generated client hands over the body as text: a Status object in JSON, usually.
    const body: unknown = error.body;
    const status = typeof body === "string" ? parseStatus(body) : undefined;
    const message =
      status?.message ??
      (typeof body === "string" && body !== "" ? body.slice(0, 300) : error.message);
    return new PodApiError(`${what}: ${error.code} ${message}`, error.code, { cause: error });
  }
  return new PodApiError(`${what}: ${toError(error).message}`, undefined, { cause: error });
}

function parseStatus(text: string): { message?: string } | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === "string" ? { message: parsed.message } : undefined;
  } catch {
    return undefined;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
