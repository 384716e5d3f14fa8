import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubePodApi } from "../../src/chaos/orchestrators/kubePodApi.ts";
import { createKubernetesOrchestrator } from "../../src/chaos/orchestrators/kubernetes.ts";
import type { Orchestrator } from "../../src/chaos/orchestrators/orchestrator.ts";
import type { LifecycleEvent, Target } from "../../src/contract/targets.ts";
import type { RunState } from "../../src/contract/runs.ts";
import { loadControlConfig } from "../../src/services/control/controlConfig.ts";
import { TARGET_SELECTOR } from "../../src/chaos/orchestrators/podSnapshot.ts";
import { ensureKubeBinaries, type KubeBinaries } from "../../src/kube/kubeBinaries.ts";
import { commonConfigSchema, environmentWith, loadConfig } from "../../src/lib/config.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import type { Fault } from "../../src/contract/fault.ts";
import { startControlWithoutKafka, type ControlWithoutKafka } from "./controlWithoutKafka.ts";
import { run, startKwokCluster, type KwokCluster } from "./kwokCluster.ts";

const repo = resolve(import.meta.dirname, "../../..");
const k8s = join(repo, "k8s");
const NAMESPACE = "blackout";
/** What the base runs: 3 brokers, 2 producers, 3 consumers, clients, control, observability. */
const PODS = 14;
const CONTROL_SA = `system:serviceaccount:${NAMESPACE}:control`;

/** kwok's fake nodes: what its controller manages (kwokctl's default annotation selector). */
const NODES = [0, 1]
  .map(
    (i) => `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-${i}
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-${i}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: { cpu: "32", memory: 64Gi, pods: "110" }
  capacity: { cpu: "32", memory: 64Gi, pods: "110" }`,
  )
  .join("\n---\n");

let binaries: KubeBinaries;
let cluster: KwokCluster | undefined;
let orchestrator: Orchestrator | undefined;
let control: ControlWithoutKafka | undefined;
const events: LifecycleEvent[] = [];

function kubectl(...args: string[]): Promise<string> {
  if (cluster === undefined) throw new Error("no cluster");
  return cluster.kubectl(["--namespace", NAMESPACE, ...args]);
}

async function podUid(name: string): Promise<string> {
  return (await kubectl("get", "pod", name, "-o", "jsonpath={.metadata.uid}")).trim();
}

/** The pod is held by another incarnation than `uid`, and that one is Ready. */
async function replacedAndReady(name: string, uid: string): Promise<boolean> {
  const state = await kubectl(
    "get",
    "pod",
    name,
    "--ignore-not-found",
    "-o",
    'jsonpath={.metadata.uid} {.status.conditions[?(@.type=="Ready")].status}',
  );
  const [current, ready] = state.trim().split(" ");
  return current !== undefined && current !== "" && current !== uid && ready === "True";
}

async function faultsOn(target: string, since: number): Promise<Fault[]> {
  const response = await fetch(`${control?.url}/api/faults`);
  const body = (await response.json()) as { faults: Fault[] };
  return body.faults.filter((fault) => fault.target === target && fault.t0 >= since);
}

/** The kubernetes orchestrator as control's main.ts makes it, for the lab's namespace. */
function createOrchestrator(): Orchestrator {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster!.kubeconfig);
  return createKubernetesOrchestrator({
    api: createKubePodApi({
      kubeConfig,
      namespace: NAMESPACE,
      labelSelector: TARGET_SELECTOR,
      component: "blackout-control",
    }),
    logger: createLogger({ name: "orchestrator", level: "warn" }),
  });
}

beforeAll(async () => {
  const config = loadConfig(commonConfigSchema);
  binaries = await ensureKubeBinaries({ cacheDir: config.BLACKOUT_CACHE_DIR, build: false });
  const started = Date.now();
  cluster = await startKwokCluster(binaries);
  console.log(
    `kwok cluster (Kubernetes ${binaries.kubernetesVersion}) ready in ${Date.now() - started} ms`,
  );
  await cluster.kubectl(["apply", "-f", "-"], { input: NODES });
  // The namespace alone first, with its pod security labels: a server-side dry run checks
  // objects against a namespace that exists.
  await cluster.kubectl(["apply", "-f", join(k8s, "base", "namespace.yaml")]);
});

afterAll(async () => {
  await control?.close();
  await orchestrator?.close();
  await cluster?.destroy();
});

describe("the manifests on a real API server", () => {
  it("pass kubectl apply --dry-run=server -k k8s/ (validation, defaulting, admission, restricted pod security)", async () => {
    for (const dir of [k8s, join(k8s, "overlays", "kind")]) {
      const output = await kubectl("apply", "--dry-run=server", "-k", dir);
      for (const object of [
        "statefulset.apps/kafka",
        "statefulset.apps/consumer",
        "statefulset.apps/producer",
        "service/consumers",
        "poddisruptionbudget.policy/kafka",
        "deployment.apps/control",
        "role.rbac.authorization.k8s.io/control",
        "deployment.apps/prometheus",
        "deployment.apps/grafana",
        "deployment.apps/otel-collector",
        "deployment.apps/jaeger",
      ]) {
        expect(output).toMatch(
          new RegExp(`^${object.replace(/\./g, "\\.")} \\S+ \\(server dry run\\)$`, "m"),
        );
      }
    }
  });

  it("run on kwok nodes with the test overlay: every pod scheduled, running and ready", async () => {
    await kubectl("apply", "-k", join(k8s, "overlays", "kwok"));
    await waitFor(
      async () => {
        const ready = await kubectl(
          "get",
          "pods",
          "-o",
          'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        );
        const lines = ready.trim().split("\n").filter(Boolean);
        return lines.length === PODS && lines.every((line) => line.endsWith("=True"));
      },
      { what: `${PODS} ready pods in ${NAMESPACE}`, timeoutMs: 120_000, intervalMs: 500 },
    );
  });

  it("give control's ServiceAccount pods and events in blackout, and nothing elsewhere or cluster-wide", async () => {
    const canI = async (...args: string[]) => {
      const { code, stdout } = await cluster!.kubectlStatus([
        "auth",
        "can-i",
        "--as",
        CONTROL_SA,
        ...args,
      ]);
      return `${args.join(" ")}: ${stdout.trim()}${code === 0 || code === 1 ? "" : ` (exit ${code})`}`;
    };
    const allowed = [
      ["delete", "pods", "-n", NAMESPACE],
      ["watch", "pods", "-n", NAMESPACE],
      ["create", "pods", "--subresource=exec", "-n", NAMESPACE],
      ["create", "events", "-n", NAMESPACE],
    ];
    const refused = [
      ["delete", "pods", "-n", "default"],
      ["delete", "pods", "-n", "kube-system"],
      ["delete", "pods", "--all-namespaces"],
      ["list", "pods", "--all-namespaces"],
      ["create", "pods", "--subresource=exec", "-n", "default"],
      ["get", "secrets", "-n", NAMESPACE],
      ["delete", "statefulsets", "-n", NAMESPACE],
      ["create", "pods", "-n", NAMESPACE],
      ["list", "nodes"],
      ["delete", "namespaces"],
      ["create", "clusterrolebindings"],
      ["*", "*"],
    ];
    for (const args of allowed) expect(await canI(...args)).toBe(`${args.join(" ")}: yes`);
    for (const args of refused) expect(await canI(...args)).toBe(`${args.join(" ")}: no`);
  });
});

describe("the kubernetes orchestrator against the real control plane", () => {
  beforeAll(async () => {
    orchestrator = createOrchestrator();
    orchestrator.onEvent((event) => events.push(event));
    control = await startControlWithoutKafka(orchestrator);
  });

  it("lists the chaos targets: 3 brokers with their node ids, 2 producers, 3 consumers", async () => {
    const targets = await orchestrator!.targets();
    expect(
      targets.map((t) => `${t.name} ${t.kind} ${t.status} ready=${t.ready} chaos=${t.chaos}`),
    ).toEqual([
      "consumer-0 consumer running ready=true chaos=true",
      "consumer-1 consumer running ready=true chaos=true",
      "consumer-2 consumer running ready=true chaos=true",
      "kafka-0 broker running ready=true chaos=true",
      "kafka-1 broker running ready=true chaos=true",
      "kafka-2 broker running ready=true chaos=true",
      "producer-0 producer running ready=true chaos=true",
      "producer-1 producer running ready=true chaos=true",
    ]);
    expect(targets.filter((t) => t.kind === "broker").map((t) => t.nodeId)).toEqual([0, 1, 2]);
  });

  it("hard-kills a consumer pod through control's API; the StatefulSet recreates it and the fault gets its pod recovery time", async () => {
    const uid = await podUid("consumer-1");
    const response = await fetch(`${control!.url}/api/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "kill", target: "consumer-1", mode: "hard" }),
    });
    expect(response.status).toBe(201);
    const injected = (await response.json()) as Fault;
    expect(injected).toMatchObject({
      target: "consumer-1",
      kind: "consumer",
      mode: "hard",
      actor: "api",
    });

    await waitFor(() => replacedAndReady("consumer-1", uid), {
      what: "consumer-1 replaced and ready",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const fault = await waitFor(
      () => {
        const current = control!.tracker.get(injected.id);
        return current?.report.podRecoveryMs !== null ? current : undefined;
      },
      { what: "the fault's pod recovery", timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(fault?.report.podRecoveryMs).toBeGreaterThan(0);
    expect(fault?.report.podRecoveryMs).toBeLessThan(60_000);
    // Ours, so not a second (external) fault.
    expect(await faultsOn("consumer-1", injected.t0 - 1000)).toHaveLength(1);
    expect(
      events
        .filter((e) => e.target === "consumer-1" && e.at >= injected.t0 - 1000)
        .map((e) => `${e.type}${e.byUs === undefined ? "" : ` byUs=${e.byUs}`}`),
    ).toEqual(["unready", "terminated byUs=true", "started", "ready"]);
    // And Kubernetes' own record of it.
    const recorded = await kubectl(
      "get",
      "events",
      "--field-selector",
      "reason=BlackoutKill",
      "-o",
      'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.message}{"\\n"}{end}',
    );
    expect(recorded).toContain(
      "Pod/consumer-1 Blackout control deleted with grace period 0 (hard kill)",
    );
  });

  it("records a pod deleted with kubectl as a fault it did not cause, with its pod recovery time", async () => {
    const since = Date.now();
    const uid = await podUid("consumer-0");
    await kubectl("delete", "pod", "consumer-0", "--wait=false");
    await waitFor(() => replacedAndReady("consumer-0", uid), {
      what: "consumer-0 replaced and ready",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const [fault] = await waitFor(
      async () => {
        const faults = await faultsOn("consumer-0", since);
        return faults.length > 0 && faults.every((f) => f.report.podRecoveryMs !== null)
          ? faults
          : undefined;
      },
      {
        what: "an observed fault on consumer-0 with its pod recovery",
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    expect(fault).toMatchObject({
      target: "consumer-0",
      kind: "consumer",
      actor: "external",
      selector: "observed",
      mode: "graceful",
    });
    expect(fault?.detail).toMatch(/pod deleted \(grace period 30 s: SIGTERM\)/);
    expect(fault?.report.podRecoveryMs).toBeGreaterThan(0);
  });
});

describe("the kubectl chaos scripts", () => {
  const script = (name: string, ...args: string[]) =>
    run("bash", [join(k8s, "chaos", name), ...args], {
      env: environmentWith({
        KUBECTL: binaries.kubectl,
        KUBECONFIG: cluster!.kubeconfig,
        CONTROL_URL: control!.url,
        TIMEOUT: "90",
      }),
      timeoutMs: 150_000,
    });

  it("consumer-hard-kill.sh deletes a consumer with grace period 0 and prints control's complete report", async () => {
    const { code, stdout, output } = await script("consumer-hard-kill.sh");
    expect(code, output).toBe(0);
    const report = JSON.parse(stdout) as Fault;
    expect(report).toMatchObject({ kind: "consumer", actor: "external", mode: "hard" });
    expect(report.report.status).toBe("complete");
    expect(report.report.podRecoveryMs).toBeGreaterThan(0);
    expect(output).toMatch(/pod recovery \d+ ms/);
  });

  it("rolling-restart.sh restarts the producers one at a time and reports each replacement", async () => {
    const { code, stdout, output } = await script("rolling-restart.sh", "producer");
    expect(code, output).toBe(0);
    const reports = JSON.parse(stdout) as Fault[];
    expect(reports.map((f) => `${f.target} ${f.actor} ${f.report.status}`).sort()).toEqual([
      "producer-0 external complete",
      "producer-1 external complete",
    ]);
  });

  it("every script parses (bash -n), the broker one included (kwok pods cannot exec)", async () => {
    for (const name of [
      "lib.sh",
      "consumer-hard-kill.sh",
      "broker-leader-kill.sh",
      "rolling-restart.sh",
    ]) {
      const { code, output } = await run("bash", ["-n", join(k8s, "chaos", name)]);
      expect(`${name}: ${code} ${output}`).toBe(`${name}: 0 `);
    }
  });
});

/** What control answered, or how it refused to start. */
interface Answer {
  readonly status: number | "refused at config load";
  readonly text: string;
}

/**
 * One row a guard of DESIGN §1 Safety: its situation, the call through control's HTTP API, the
 * answer naming the guard. Every row must leave the cluster's pods and control's timeline as they
 * were, the emergency stop's too: what it stops is a kill that would have come.
 */
interface GuardRow {
  readonly guard: string;
  /** Brings the situation about (what it changes is not the row's call's). */
  readonly setup?: () => Promise<void>;
  readonly call: () => Promise<Answer>;
  readonly status: Answer["status"];
  readonly answer: RegExp;
  /** Waits for whatever effect the call could still have, and checks what it did. */
  readonly settle?: () => Promise<void>;
}

describe("the chaos guards, one row each, through control's API on the real API server", () => {
  const OTHER_NAMESPACE = "guard-elsewhere";
  /** The MIN_ALIVE row kills one of the 2 producers. */
  const MIN_ALIVE = 2;
  /**
   * Keeps a deleted pod Terminating, so its target stays down: the orchestrator forgets a
   * standalone pod once it is gone, and a StatefulSet's is back within a second.
   */
  const FINALIZER = "blackout.dev/guard-matrix";
  const STOP_SCENARIO = `name: stopped-before-its-kill
steady: 1s
steps:
  - wait: 3s
  - kill: { target: consumer-2, mode: hard }
slo: { missing: 0 }
`;
  /** Control's targets: the pods of its namespace with the lab's labels, and no others. */
  const TARGETS = [
    ...["consumer-0", "consumer-1", "consumer-2", "guard-down", "guard-unlabelled"],
    ...["kafka-0", "kafka-1", "kafka-2", "producer-0", "producer-1"],
  ];
  /** What a 404 for an unknown target lists. */
  const LISTED = `targets are ${TARGETS.join(", ")}`;
  let guarded: ControlWithoutKafka | undefined;
  let runId = "";

  const labLabels = (chaos: boolean) => ({
    "app.kubernetes.io/part-of": "blackout",
    "app.kubernetes.io/component": "consumer",
    ...(chaos ? { "blackout.dev/chaos": "enabled" } : {}),
  });
  /** A standalone pod (no controller replaces it) that meets the restricted pod security. */
  const pod = (
    namespace: string,
    name: string,
    labels: Record<string, string>,
    finalizers: string[] = [],
  ) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace, name, labels, finalizers },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "consumer",
          image: "blackout",
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  });
  const GUARD_PODS = [
    pod(NAMESPACE, "guard-unlabelled", labLabels(false)),
    pod(NAMESPACE, "guard-down", labLabels(true), [FINALIZER]),
    pod(OTHER_NAMESPACE, "guard-elsewhere", labLabels(true)),
    pod("kube-system", "guard-system", labLabels(true)),
  ];

  const post = async (path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${guarded!.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const get = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${guarded!.url}${path}`)).json()) as T;
  const kill = (target: string, extra: { dryRun?: boolean; force?: boolean } = {}) =>
    post("/api/faults", { action: "kill", target, mode: "hard", ...extra });
  const targetStatus = async (name: string) =>
    (await get<Target[]>("/api/targets")).find((t) => t.name === name);
  /** Every pod of the cluster, by namespace and name, with its incarnation and whether it is deleted. */
  const everyPod = () =>
    cluster!.kubectl([
      "get",
      "pods",
      "--all-namespaces",
      "-o",
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.uid} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ]);
  const timeline = async () =>
    (await get<{ faults: Fault[] }>("/api/faults")).faults.map((f) => f.id);

  beforeAll(async () => {
    await cluster!.kubectl(["create", "namespace", OTHER_NAMESPACE]);
    await cluster!.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: GUARD_PODS }),
    });
    for (const { metadata } of GUARD_PODS) {
      await cluster!.kubectl([
        "wait",
        "--namespace",
        metadata.namespace,
        "--for=condition=Ready",
        `pod/${metadata.name}`,
        "--timeout=60s",
      ]);
    }
    guarded = await startControlWithoutKafka(createOrchestrator(), {
      // The rows call faster than a person; the rate limit is no row here (controlApp.test.ts).
      config: { MIN_ALIVE, FAULT_RATE_BURST: 100 },
    });
    // The earlier tests' replacements included: every target ready.
    await waitFor(
      async () => {
        const targets = await get<Target[]>("/api/targets");
        return TARGETS.every((name) => targets.find((t) => t.name === name)?.ready);
      },
      { what: `${TARGETS.join(", ")} ready`, timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    await guarded?.close();
    const kubectl = (...args: string[]) => cluster?.kubectlStatus(args);
    await kubectl(
      "patch",
      "pod",
      "guard-down",
      "--namespace",
      NAMESPACE,
      "--type=json",
      '--patch=[{"op":"remove","path":"/metadata/finalizers"}]',
    );
    await kubectl(
      "delete",
      "pod",
      "guard-unlabelled",
      "guard-down",
      "--namespace",
      NAMESPACE,
      "--ignore-not-found",
    );
    await kubectl(
      "delete",
      "pod",
      "guard-system",
      "--namespace",
      "kube-system",
      "--ignore-not-found",
    );
    await kubectl("delete", "namespace", OTHER_NAMESPACE, "--ignore-not-found");
  });

  const rows: GuardRow[] = [
    {
      guard:
        "opt-in label: a pod with the lab's labels but not blackout.dev/chaos=enabled, even forced",
      call: () => kill("guard-unlabelled", { force: true }),
      status: 409,
      answer: /"guard-unlabelled is not opted in to chaos \(label blackout\.dev\/chaos=enabled\)"/,
    },
    {
      guard: "namespace: a pod with every label in another namespace is not a target",
      call: () => kill("guard-elsewhere"),
      status: 404,
      answer: new RegExp(`"no target \\\\"guard-elsewhere\\\\"; ${LISTED}"`),
    },
    {
      guard: "kube-system: a pod with every label there is not a target",
      call: () => kill("guard-system"),
      status: 404,
      answer: new RegExp(`"no target \\\\"guard-system\\\\"; ${LISTED}"`),
    },
    {
      guard: "kube-system: control's namespace setting never names it",
      call: () => {
        try {
          loadControlConfig({ ORCHESTRATOR: "kubernetes", KUBE_NAMESPACE: "kube-system" });
          return Promise.resolve({ status: 201, text: "control started" });
        } catch (error) {
          return Promise.resolve({ status: "refused at config load", text: String(error) });
        }
      },
      status: "refused at config load",
      answer: /KUBE_NAMESPACE: kube-system is never a chaos target/,
    },
    {
      guard: `MIN_ALIVE (${MIN_ALIVE}): a kill that would leave 1 ready producer`,
      call: () => kill("producer-1"),
      status: 409,
      answer: new RegExp(
        `"MIN_ALIVE: it would leave 1 ready producer, fewer than ${MIN_ALIVE} \\(force overrides\\)"`,
      ),
    },
    {
      guard: "dry run: the plan, and nothing done",
      call: () => kill("consumer-2", { dryRun: true }),
      status: 200,
      answer:
        /^\{"dryRun":true,"plan":\{"action":"kill","victim":"consumer-2","kind":"consumer","mode":"hard","leadersMoving":\[\]\}\}$/,
    },
    {
      guard: "unknown target",
      call: () => kill("consumer-9"),
      status: 404,
      answer: new RegExp(`"no target \\\\"consumer-9\\\\"; ${LISTED}"`),
    },
    {
      guard: "already down: a second kill of a pod still terminating, even forced",
      setup: async () => {
        expect((await kill("guard-down", { force: true })).status).toBe(201);
        await waitFor(async () => (await targetStatus("guard-down"))?.status === "stopped", {
          what: "guard-down stopped (terminating, held by its finalizer)",
          timeoutMs: 30_000,
          intervalMs: 100,
        });
      },
      call: () => kill("guard-down", { force: true }),
      status: 409,
      answer: /"guard-down is down already \(being replaced\)"/,
    },
    {
      guard: "emergency stop: a running scenario aborted before its kill, nothing killed after",
      setup: async () => {
        const started = await post("/api/runs", { scenario: STOP_SCENARIO });
        expect(started.status).toBe(201);
        runId = (JSON.parse(started.text) as { id: string }).id;
      },
      call: () => post("/api/stop"),
      status: 200,
      answer: /^\{"thawed":\[\],"aborted":\["[^"]+"\]\}$/,
      settle: async () => {
        const run = await waitFor(
          async () => {
            const state = await get<RunState>(`/api/runs/${runId}`);
            return state.status === "running" ? undefined : state;
          },
          { what: "the run to end", timeoutMs: 30_000, intervalMs: 100 },
        );
        expect([run.status, run.scorecard.run.abortReason]).toEqual(["aborted", "emergency stop"]);
        // Past the moment its kill step would have come (1 s steady, 3 s wait), and then some.
        await sleep(Math.max(0, run.scorecard.run.startedAt + 7000 - Date.now()));
      },
    },
  ];

  it.each(rows)("$guard", async (row) => {
    await row.setup?.();
    const pods = await everyPod();
    const faults = await timeline();
    const answer = await row.call();
    expect(answer.status, answer.text).toBe(row.status);
    expect(answer.text).toMatch(row.answer);
    await row.settle?.();
    expect(await everyPod()).toBe(pods);
    expect(await timeline()).toEqual(faults);
  });
});
