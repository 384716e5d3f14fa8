import { describe, expect, it } from "vitest";
import type { LocalKafkaCluster } from "../kafka/localCluster.ts";
import { loadConfig } from "../lib/config.ts";
import { planLab } from "./labComponents.ts";
import { labConfigSchema } from "./labConfig.ts";

/** The part of a cluster planLab reads: its nodes and their command lines. */
const cluster = {
  bootstrapServers: ["127.0.0.1:19092", "127.0.0.1:29092", "127.0.0.1:39092"],
  nodes: () =>
    [1, 2, 3].map((id) => ({
      id,
      name: `kafka-${id}`,
      brokerPort: id * 10_000 + 9092,
      controllerPort: id * 10_000 + 9093,
      pid: undefined,
      running: false,
      logFile: `/data/node-${id}/server.log`,
    })),
  nodeCommand: (id: number) => ({
    command: "java",
    args: ["kafka.Kafka", `node-${id}.properties`],
    logFile: `/data/node-${id}/server.log`,
  }),
} as unknown as LocalKafkaCluster;

function plan(env: Record<string, string> = {}, jaeger = false) {
  return planLab(loadConfig(labConfigSchema, env), {
    cluster,
    logDir: "/data/logs",
    nodeBin: "/usr/bin/node24",
    path: "/usr/bin",
    ...(jaeger ? { jaeger: { bin: "/cache/jaeger", configFile: "/data/jaeger.yaml" } } : {}),
  });
}

describe("the lab's plan", () => {
  it("gives the services the failover settings: typical by default, --tuned's when asked", () => {
    const env = (settings: Record<string, string>, name: string) =>
      new Map(
        plan(settings)
          .groups.flat()
          .map((spec) => [spec.name, spec.env]),
      ).get(name);
    expect(env({}, "consumer-0")).toMatchObject({
      SESSION_TIMEOUT_MS: "30000",
      KAFKA_RETRY_INITIAL_MS: "300",
      KAFKA_RETRIES: "10",
    });
    for (const name of ["consumer-1", "producer-0", "control"]) {
      expect(env({ TUNED: "true" }, name), name).toMatchObject({
        KAFKA_RETRY_INITIAL_MS: "100",
        KAFKA_RETRY_MAX_MS: "1000",
        KAFKA_RETRIES: "40",
        KAFKA_METADATA_MAX_AGE_MS: "1000",
        KAFKA_FETCH_MAX_WAIT_MS: "500",
      });
    }
    // Control gets the consumers' group settings too: the floor of a consumer fault.
    for (const name of ["consumer-1", "control"]) {
      expect(env({ TUNED: "true" }, name), name).toMatchObject({
        SESSION_TIMEOUT_MS: "6000",
        TAKE_OVER_GROUP: "true",
      });
    }
  });

  it("starts brokers, then producers and consumers, then gateway and control, then clients", () => {
    const names = plan().groups.map((group) => group.map((spec) => spec.name));
    expect(names).toEqual([
      ["kafka-1", "kafka-2", "kafka-3"],
      ["producer-0", "producer-1", "consumer-0", "consumer-1", "consumer-2"],
      ["gateway", "control"],
      ["clients"],
    ]);
  });

  it("wires each service to the others on DESIGN §3's ports", () => {
    const specs = new Map(
      plan()
        .groups.flat()
        .map((spec) => [spec.name, spec]),
    );
    expect(specs.get("consumer-2")?.env).toMatchObject({
      CONSUMER_ID: "consumer-2",
      HTTP_PORT: "7202",
      KAFKA_BROKERS: "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092",
      CONTROL_URL: "http://127.0.0.1:8081",
    });
    expect(specs.get("gateway")?.env.CONSUMER_URLS).toBe(
      "http://127.0.0.1:7200,http://127.0.0.1:7201,http://127.0.0.1:7202",
    );
    expect(specs.get("clients")?.env).toMatchObject({
      TARGET_URL: "http://127.0.0.1:8080",
      CONTROL_URL: "http://127.0.0.1:8081",
    });
    expect(specs.get("control")?.env).toMatchObject({
      SUPERVISOR_URL: "http://127.0.0.1:8089",
      CLIENTS_URL: "http://127.0.0.1:7300",
      PRODUCER_URLS: "producer-0=http://127.0.0.1:7100,producer-1=http://127.0.0.1:7101",
    });
    expect(specs.get("kafka-2")).toMatchObject({ command: "java", nodeId: 2 });
  });

  it("passes control the dashboard's settings: scenario library, Grafana and traces links, token", () => {
    const env = plan({
      SCENARIOS_DIR: "/my/scenarios",
      GRAFANA_URL: "http://127.0.0.1:3000/",
      CONTROL_TOKEN: "operator-token-0123456789",
    })
      .groups.flat()
      .find((spec) => spec.name === "control")?.env;
    expect(env).toMatchObject({
      SCENARIOS_DIR: "/my/scenarios",
      GRAFANA_URL: "http://127.0.0.1:3000",
      CONTROL_TOKEN: "operator-token-0123456789",
    });
    expect(env).not.toHaveProperty("TRACES_URL");
    expect(
      plan()
        .groups.flat()
        .find((spec) => spec.name === "control")?.env.SCENARIOS_DIR,
    ).toMatch(/scenarios$/);
  });

  it("opts in to chaos only what CHAOS_TARGETS names, and never a service", () => {
    const chaos = plan({ CHAOS_TARGETS: "consumer,kafka-2" })
      .groups.flat()
      .filter((spec) => spec.chaos)
      .map((spec) => spec.name);
    expect(chaos).toEqual(["kafka-2", "consumer-0", "consumer-1", "consumer-2"]);
  });

  it("profiles every Node service into a folder of its own when NODE_PROFILE_DIR is set", () => {
    const node = (env: Record<string, string>) =>
      plan(env)
        .groups.flat()
        .filter((spec) => spec.command === "/usr/bin/node24");
    expect(node({}).some((spec) => spec.args.includes("--cpu-prof"))).toBe(false);
    const profiled = node({ NODE_PROFILE_DIR: "/tmp/prof" });
    expect(profiled.length).toBeGreaterThan(5);
    for (const spec of profiled) {
      expect(spec.args.slice(0, 2)).toEqual([
        "--cpu-prof",
        `--cpu-prof-dir=/tmp/prof/${spec.name}`,
      ]);
    }
  });

  it("with Jaeger: starts it first, every service exports to it, the fleet samples its polls", () => {
    const traced = plan({ CLIENTS_TRACE_RATIO: "0.05", PRODUCERS_TRACE_RATIO: "0.2" }, true);
    expect(traced.groups[0]?.map((spec) => spec.name)).toEqual(["jaeger"]);
    expect(traced.groups[0]?.[0]).toMatchObject({
      command: "/cache/jaeger",
      args: ["--config", "/data/jaeger.yaml"],
    });
    const specs = new Map(traced.groups.flat().map((spec) => [spec.name, spec.env]));
    for (const name of ["producer-0", "consumer-2", "gateway", "control", "clients"]) {
      expect(specs.get(name), name).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
        OTEL_SERVICE_NAME: name,
      });
    }
    expect(specs.get("clients")).toMatchObject({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.05",
    });
    // The producers sample their records as the lab is told (all of them by default).
    expect(specs.get("producer-0")).toMatchObject({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.2",
    });
    expect(
      plan({}, true)
        .groups.flat()
        .find((s) => s.name === "producer-1")?.env,
    ).toMatchObject({
      OTEL_TRACES_SAMPLER_ARG: "1",
    });
    expect(specs.get("control")?.TRACES_URL).toBe("http://127.0.0.1:16686");
    expect(traced.urls.traces).toBe("http://127.0.0.1:16686");
    // Without Jaeger nobody is told to export.
    expect(
      plan()
        .groups.flat()
        .find((spec) => spec.name === "producer-0")?.env,
    ).not.toHaveProperty("OTEL_EXPORTER_OTLP_ENDPOINT");
  });
});
