import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repo = resolve(import.meta.dirname, "../../..");
const observability = join(repo, "observability");

function promtool(file: string, command = ["check", "config"]): string {
  const result = spawnSync("promtool", [...command, file], {
    encoding: "utf8",
    cwd: dirname(file),
  });
  if (result.error)
    throw new Error(`promtool: ${result.error.message}; apt-get install prometheus`);
  expect(result.status, result.stdout + result.stderr).toBe(0);
  return result.stdout + result.stderr;
}

const rulesDir = join(observability, "prometheus/rules");

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

  it("have recording rules and alerts that pass promtool's check and its unit tests", () => {
    const rules = join(rulesDir, "blackout.rules.yml");
    expect(promtool(rules, ["check", "rules"])).toContain("SUCCESS: 17 rules found");
    expect(promtool(join(rulesDir, "blackout.test.yml"), ["test", "rules"])).toContain("SUCCESS");
    const { groups } = parse(readFileSync(rules, "utf8")) as {
      groups: { rules: { alert?: string; annotations?: { description?: string } }[] }[];
    };
    const alerts = groups.flatMap((g) => g.rules).filter((rule) => rule.alert !== undefined);
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([
      "BlackoutConsumerLagGrowing",
      "BlackoutConsumerNotReady",
      "BlackoutCrashLoop",
      "BlackoutFaultOpenTooLong",
      "BlackoutGatewayWithoutBackends",
      "BlackoutOddRecords",
      "BlackoutOfflinePartitions",
      "BlackoutRecordsMissing",
      "BlackoutUnderReplicatedPartitions",
    ]);
    // Every alert is exercised by a unit test.
    const tests = readFileSync(join(rulesDir, "blackout.test.yml"), "utf8");
    for (const rule of alerts) expect(tests).toContain(`alertname: ${rule.alert ?? ""}`);
  });

  it("load the rules in every mode: local (beside its config), compose and Kubernetes", () => {
    for (const file of ["local.yml", "compose.yml", "kubernetes.yml"]) {
      const config = parse(readFileSync(join(observability, "prometheus", file), "utf8")) as {
        rule_files: string[];
      };
      expect(config.rule_files, file).toEqual([
        file === "local.yml" ? "rules/*.rules.yml" : "/etc/prometheus-rules/*.rules.yml",
      ]);
    }
    expect(readFileSync(join(repo, "docker-compose.yml"), "utf8")).toContain(
      "./observability/prometheus/rules:/etc/prometheus-rules:ro",
    );
    const prometheus = readFileSync(join(repo, "k8s/base/prometheus.yaml"), "utf8");
    expect(prometheus).toMatch(/mountPath: \/etc\/prometheus-rules/);
    expect(prometheus).toMatch(/configMap:\s+name: prometheus-rules/);
    expect(readFileSync(join(observability, "kustomization.yaml"), "utf8")).toContain(
      "prometheus/rules/blackout.rules.yml",
    );
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
