import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { POD_LABELS } from "../../src/chaos/orchestrators/podSnapshot.ts";
import { JMX_EXPORTER_VERSION } from "../../src/kafka/jmxExporterAgent.ts";
import { KAFKA_VERSION } from "../../src/kafka/kafkaJars.ts";
import { ensureKubeBinaries } from "../../src/kube/kubeBinaries.ts";
import { commonConfigSchema, loadConfig } from "../../src/lib/config.ts";
import { BLACKOUT_VERSION } from "../../src/lib/version.ts";
import { podPrivilegeGaps, renderedPods } from "../support/privilegeGaps.ts";
import { CREDENTIAL_NAME } from "../support/secretFindings.ts";
import { run } from "./kwokCluster.ts";

const k8s = resolve(import.meta.dirname, "../../../k8s");

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  resources?: { requests?: object; limits?: object };
  readinessProbe?: object;
  livenessProbe?: object;
}
interface PodSpec {
  shareProcessNamespace?: boolean;
  initContainers?: Container[];
  securityContext?: { seccompProfile?: { type: string } };
  containers: Container[];
}
interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    template?: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
    volumeClaimTemplates?: unknown[];
    ports?: { nodePort?: number }[];
  };
}

let rendered: Record<string, KubeObject[]> = {};

/** What kubectl apply -k would send: kustomize as built into kubectl. */
async function kustomize(kubectl: string, dir: string): Promise<KubeObject[]> {
  const { code, stdout, output } = await run(kubectl, ["kustomize", dir]);
  if (code !== 0) throw new Error(`kubectl kustomize ${dir} exited ${code}:\n${output}`);
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as KubeObject);
}

beforeAll(async () => {
  const config = loadConfig(commonConfigSchema);
  const { kubectl } = await ensureKubeBinaries({
    cacheDir: config.BLACKOUT_CACHE_DIR,
    build: false,
  });
  rendered = {
    base: await kustomize(kubectl, k8s),
    kind: await kustomize(kubectl, join(k8s, "overlays", "kind")),
    kwok: await kustomize(kubectl, join(k8s, "overlays", "kwok")),
  };
});

const workloads = (objects: KubeObject[]) =>
  objects.filter((o) => o.spec?.template !== undefined) as (KubeObject & {
    spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
  })[];

describe("the kustomize manifests (k8s/)", () => {
  it("put everything in namespace blackout, with nothing cluster-wide but the namespace", () => {
    const base = rendered.base ?? [];
    expect(base.filter((o) => o.metadata.namespace === undefined).map((o) => o.kind)).toEqual([
      "Namespace",
    ]);
    expect(new Set(base.map((o) => o.metadata.namespace ?? "blackout"))).toEqual(
      new Set(["blackout"]),
    );
    expect(base.map((o) => o.kind)).not.toContain("ClusterRole");
    expect(base.map((o) => o.kind)).not.toContain("ClusterRoleBinding");
  });

  it("label every object and pod with the standard app.kubernetes.io labels", () => {
    for (const object of rendered.base ?? []) {
      const labels = object.metadata.labels ?? {};
      expect(labels["app.kubernetes.io/part-of"], object.metadata.name).toBe("blackout");
      expect(labels["app.kubernetes.io/name"], object.metadata.name).toBeDefined();
    }
    for (const workload of workloads(rendered.base ?? [])) {
      const labels = workload.spec.template.metadata.labels;
      expect(labels["app.kubernetes.io/part-of"], workload.metadata.name).toBe("blackout");
      expect(labels["app.kubernetes.io/component"], workload.metadata.name).toBeDefined();
    }
  });

  it("opt in to chaos the brokers, producers and consumers only, and let a freeze reach them", () => {
    const chaos = workloads(rendered.base ?? []).filter(
      (w) => w.spec.template.metadata.labels[POD_LABELS.chaos] === "enabled",
    );
    expect(chaos.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      "StatefulSet/consumer",
      "StatefulSet/kafka",
      "StatefulSet/producer",
    ]);
    for (const workload of chaos) {
      expect(workload.spec.template.spec.shareProcessNamespace, workload.metadata.name).toBe(true);
    }
  });

  it("give every container probes, requests and limits, and every pod seccomp's default profile", () => {
    for (const workload of workloads(rendered.base ?? [])) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext?.seccompProfile?.type, workload.metadata.name).toBe(
        "RuntimeDefault",
      );
      for (const container of pod.containers) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect(container.readinessProbe, where).toBeDefined();
        expect(container.livenessProbe, where).toBeDefined();
        expect(container.resources?.requests, where).toBeDefined();
        expect(container.resources?.limits, where).toBeDefined();
      }
    }
  });

  it("run every container of every overlay, init containers too, as a numeric non-root user on a read-only root file system, with no capability and no privilege escalation", () => {
    for (const [overlay, objects] of Object.entries(rendered)) {
      const pods = renderedPods(objects);
      expect(pods.length, overlay).toBe(9);
      const gaps = pods.flatMap(({ where, pod }) => podPrivilegeGaps(`${overlay}: ${where}`, pod));
      expect(gaps).toEqual([]);
    }
  });

  it("ship no Secret, and take every credential from one that the operator creates", () => {
    for (const [overlay, objects] of Object.entries(rendered)) {
      expect(
        objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
        overlay,
      ).toEqual([]);
      const credentials = workloads(objects).flatMap((w) =>
        w.spec.template.spec.containers.flatMap((c) =>
          (c.env ?? [])
            .filter((e) => CREDENTIAL_NAME.test(e.name))
            .map((e) => ({ where: `${overlay}: ${w.metadata.name}/${c.name}: ${e.name}`, ...e })),
        ),
      );
      expect(credentials.filter((c) => c.value !== undefined).map((c) => c.where)).toEqual([]);
      expect(credentials.map((c) => `${c.where} from ${c.valueFrom?.secretKeyRef?.name}`)).toEqual([
        `${overlay}: control/control: CONTROL_TOKEN from control-token`,
        `${overlay}: control/control: GRAFANA_TOKEN from grafana-token`,
        `${overlay}: grafana/grafana: GF_SECURITY_ADMIN_PASSWORD from grafana-admin`,
      ]);
    }
  });

  it("pin every image: Kafka at local mode's version, Blackout's own at the project's", () => {
    const images = workloads(rendered.base ?? []).flatMap((w) =>
      w.spec.template.spec.containers.map((c) => c.image),
    );
    for (const image of images) expect(image).toMatch(/:v?\d+\.\d+\.\d+$/);
    expect(images).toContain(`apache/kafka:${KAFKA_VERSION}`);
    expect(images).toContain(`blackout:${BLACKOUT_VERSION}`);
  });

  it("send every Blackout container's traces to the collector, sample the fleet, keep exemplars", () => {
    const containers = workloads(rendered.base ?? []).flatMap(
      (w) => w.spec.template.spec.containers,
    );
    const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const own = containers.filter((c) => c.image.startsWith("blackout:"));
    expect(own.length).toBeGreaterThanOrEqual(4);
    for (const container of own) {
      expect(envOf(container), container.name).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318",
        OTEL_SERVICE_NAME: expect.stringMatching(/^[a-z]+$/) as unknown,
      });
    }
    const clients = own.find((c) => envOf(c).OTEL_SERVICE_NAME === "clients");
    expect(clients && envOf(clients)).toMatchObject({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.01",
    });
    const prometheus = containers.find((c) => c.name === "prometheus");
    expect(prometheus?.args).toContain("--enable-feature=exemplar-storage");
  });

  it("have each broker load the JMX exporter's agent and Prometheus scrape it", () => {
    const kafka = workloads(rendered.base ?? []).find((w) => w.metadata.name === "kafka");
    const template = kafka?.spec.template;
    expect(template?.metadata.annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "9404",
    });
    const [init] = template?.spec.initContainers ?? [];
    const v = JMX_EXPORTER_VERSION;
    expect(init?.args?.at(-1)).toBe(
      `https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/${v}/jmx_prometheus_javaagent-${v}.jar`,
    );
    const broker = template?.spec.containers.find((c) => c.name === "kafka");
    const opts = broker?.env?.find((e) => e.name === "KAFKA_OPTS")?.value;
    expect(opts).toBe(
      `-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent-${v}.jar=9404:/etc/kafka-metrics/jmx-exporter.yml`,
    );
    const configMap = (rendered.base ?? []).find(
      (o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("kafka-metrics"),
    );
    expect(configMap).toBeDefined();
  });

  it("differ in the kwok overlay only by Kafka's data on an emptyDir instead of a PVC", () => {
    const kafka = (set: string) =>
      (rendered[set] ?? []).find((o) => o.kind === "StatefulSet" && o.metadata.name === "kafka");
    expect(kafka("base")?.spec?.volumeClaimTemplates).toHaveLength(1);
    expect(kafka("kwok")?.spec?.volumeClaimTemplates).toBeUndefined();
    const strip = (objects: KubeObject[]) =>
      objects.filter((o) => !(o.kind === "StatefulSet" && o.metadata.name === "kafka"));
    expect(strip(rendered.kwok ?? [])).toEqual(strip(rendered.base ?? []));
  });

  it("publish in the kind overlay the node ports that its cluster config maps to localhost", () => {
    const cluster = parse(readFileSync(join(k8s, "overlays/kind/cluster.yaml"), "utf8")) as {
      nodes: { extraPortMappings: { containerPort: number; hostPort: number }[] }[];
    };
    const mapped = cluster.nodes.flatMap((n) => n.extraPortMappings.map((m) => m.containerPort));
    const nodePorts = (rendered.kind ?? [])
      .filter((o) => o.kind === "Service")
      .flatMap((s) => (s.spec?.ports ?? []).map((p) => p.nodePort))
      .filter((port): port is number => port !== undefined);
    expect(nodePorts.sort()).toEqual(mapped.sort());
  });
});
