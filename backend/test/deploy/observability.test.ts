import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repo = resolve(import.meta.dirname, "../../..");
const observability = join(repo, "observability");

function promtool(file: string): string {
  const result = spawnSync("promtool", ["check", "config", file], { encoding: "utf8" });
  if (result.error)
    throw new Error(`promtool: ${result.error.message}; apt-get install prometheus`);
  expect(result.status, result.stdout + result.stderr).toBe(0);
  return result.stdout + result.stderr;
}

describe("the observability configs of compose and Kubernetes", () => {
  it("pass promtool's check (Debian package prometheus)", () => {
    expect(promtool(join(observability, "prometheus/compose.yml"))).toContain("SUCCESS");
    // Debian builds Prometheus without Kubernetes discovery, so its promtool rejects the key
    // itself: everything else (relabelling, intervals) is checked with static targets instead.
    const kubernetes = readFileSync(join(observability, "prometheus/kubernetes.yml"), "utf8");
    expect(kubernetes).toMatch(/kubernetes_sd_configs:\n( {6}.*\n)+/);
    const dir = mkdtempSync(join(tmpdir(), "blackout-promtool-"));
    try {
      const standIn = join(dir, "kubernetes.yml");
      writeFileSync(
        standIn,
        kubernetes.replace(/kubernetes_sd_configs:\n( {6}.*\n)+/, "static_configs: []\n"),
      );
      expect(promtool(standIn)).toContain("SUCCESS");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("discover in Kubernetes only the lab's namespace, by the pods' scrape annotations", () => {
    const config = parse(
      readFileSync(join(observability, "prometheus/kubernetes.yml"), "utf8"),
    ) as {
      scrape_configs: {
        kubernetes_sd_configs: { role: string; namespaces: { names: string[] } }[];
        relabel_configs: { source_labels?: string[]; action?: string }[];
      }[];
    };
    const [job] = config.scrape_configs;
    expect(job?.kubernetes_sd_configs).toEqual([
      { role: "pod", namespaces: { names: ["blackout"] } },
    ]);
    expect(job?.relabel_configs[0]).toEqual({
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
      regex: "true",
      action: "keep",
    });
  });

  it("provision Grafana's data sources with fixed uids, their URLs set by each deployment", () => {
    const file = join(observability, "grafana/provisioning/datasources/blackout.yml");
    const { datasources } = parse(readFileSync(file, "utf8")) as {
      datasources: { uid: string; type: string; url: string; jsonData?: object }[];
    };
    expect(datasources.map((d) => [d.uid, d.type, d.url])).toEqual([
      ["blackout-prometheus", "prometheus", "${BLACKOUT_PROMETHEUS_URL}"],
      ["blackout-jaeger", "jaeger", "${BLACKOUT_JAEGER_URL}"],
    ]);
    // An exemplar's trace_id (the services' histograms carry one) opens its trace in Jaeger.
    expect(datasources[0]?.jsonData).toMatchObject({
      exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: "blackout-jaeger" }],
    });
    const compose = readFileSync(join(repo, "docker-compose.yml"), "utf8");
    const grafana = readFileSync(join(repo, "k8s/base/grafana.yaml"), "utf8");
    for (const text of [compose, grafana]) {
      expect(text).toMatch(
        /BLACKOUT_PROMETHEUS_URL:? .*http:\/\/prometheus:9090|name: BLACKOUT_PROMETHEUS_URL\s+value: http:\/\/prometheus:9090/,
      );
    }
  });

  it("send the collector's traces to Jaeger over OTLP", () => {
    const config = parse(readFileSync(join(observability, "otel/collector.yaml"), "utf8")) as {
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
      exporters: Record<string, { endpoint: string }>;
    };
    expect(config.service.pipelines.traces).toMatchObject({
      receivers: ["otlp"],
      exporters: ["otlp/jaeger"],
    });
    expect(config.exporters["otlp/jaeger"]?.endpoint).toBe("jaeger:4317");
  });
});
