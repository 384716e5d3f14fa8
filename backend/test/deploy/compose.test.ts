import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { JMX_EXPORTER_VERSION } from "../../src/kafka/jmxExporterAgent.ts";
import { KAFKA_VERSION } from "../../src/kafka/kafkaJars.ts";
import { BLACKOUT_VERSION } from "../../src/lib/version.ts";
import {
  composePrivilegeGaps,
  type ComposeService as Confinement,
} from "../support/privilegeGaps.ts";
import { CREDENTIAL_NAME } from "../support/secretFindings.ts";

const repo = resolve(import.meta.dirname, "../../..");
const composeText = readFileSync(join(repo, "docker-compose.yml"), "utf8");

interface ComposeService extends Confinement {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

/** The compose file as Docker Compose reads it: YAML merge keys (`<<`) resolved. */
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's JSON schema", () => {
    const schema = JSON.parse(
      readFileSync(join(import.meta.dirname, "compose-spec.json"), "utf8"),
    ) as object;
    // The schema uses a few format names of its own (durations, ports): ajv need not know them.
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("runs what the lab is made of, Kafka on local mode's version", () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        "kafka-1",
        "kafka-2",
        "kafka-3",
        "kafka-metrics-agent",
        "producer-0",
        "producer-1",
        "consumer-0",
        "consumer-1",
        "consumer-2",
        "gateway",
        "clients",
        "control",
        "prometheus",
        "grafana",
        "otel-collector",
        "jaeger",
      ].sort(),
    );
    for (const name of ["kafka-1", "kafka-2", "kafka-3"]) {
      expect(services[name]?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    }
  });

  it("pins every image to a version and builds the project's own from the Dockerfile", () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
      if (service.image?.startsWith("blackout:") === true) {
        expect(service.image, name).toBe(`blackout:${BLACKOUT_VERSION}`);
        expect(service.build, name).toBe(".");
      }
    }
  });

  it("starts each Blackout service from a main.ts that exists", () => {
    const own = Object.entries(services).filter(([, s]) => s.image?.startsWith("blackout:"));
    expect(own).toHaveLength(8);
    for (const [name, service] of own) {
      const [main] = service.command ?? [];
      expect(main, name).toMatch(/^src\/services\/\w+\/main\.ts$/);
      expect(existsSync(join(repo, "backend", main ?? "")), `${name}: ${main}`).toBe(true);
    }
  });

  it("mounts only files of this repository that exist, read-only", () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
    const binds = mounts.filter((m) => m.startsWith("./"));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) {
      const [source = "", , mode] = bind.split(":");
      expect(existsSync(join(repo, source)), bind).toBe(true);
      expect(mode, bind).toBe("ro");
    }
  });

  it("publishes ports on 127.0.0.1 only, at local mode's defaults", () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, s]) => s.ports !== undefined)
        .map(([name, s]) => [name, s.ports]),
    );
    for (const ports of Object.values(published)) {
      for (const port of ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(published).toMatchObject({
      "kafka-1": ["127.0.0.1:19092:9094"],
      gateway: ["127.0.0.1:8080:8080"],
      control: ["127.0.0.1:8081:8081"],
      "producer-0": ["127.0.0.1:7100:7100"],
      "consumer-2": ["127.0.0.1:7202:7200"],
      clients: ["127.0.0.1:7300:7300"],
      prometheus: ["127.0.0.1:9090:9090"],
    });
  });

  it("runs every service as a numeric non-root user on a read-only root file system, with no capability and no privilege escalation", () => {
    expect(Object.keys(services)).toHaveLength(16);
    const gaps = Object.entries(services).flatMap(([name, s]) => composePrivilegeGaps(name, s));
    expect(gaps).toEqual([]);
  });

  it("takes every credential from the environment or .env, with no default but an empty one", () => {
    const credentials = Object.entries(services).flatMap(([name, service]) =>
      Object.entries(service.environment ?? {})
        .filter(([key]) => CREDENTIAL_NAME.test(key))
        .map(([key, value]) => ({ where: `${name}: ${key}`, value })),
    );
    expect(credentials.map((c) => c.where)).toEqual([
      "control: CONTROL_TOKEN",
      "control: GRAFANA_TOKEN",
      "grafana: GF_SECURITY_ADMIN_PASSWORD",
    ]);
    // ${NAME} or ${NAME:?why}: compose refuses to start without it; ${NAME:-}: optional.
    const literal = credentials.filter((c) => !/^\$\{\w+(:\?[^}]+|:-)?\}$/.test(c.value));
    expect(literal.map((c) => `${c.where}=${c.value}`)).toEqual([]);
  });

  it("gives each producer and consumer its own identity", () => {
    for (const [name, service] of Object.entries(services)) {
      if (name.startsWith("producer-")) expect(service.environment?.PRODUCER_ID).toBe(name);
      if (name.startsWith("consumer-")) expect(service.environment?.CONSUMER_ID).toBe(name);
    }
  });

  it("sends every Blackout service's traces to the collector under its own name, and keeps exemplars", () => {
    const own = Object.entries(services).filter(([, s]) => s.image?.startsWith("blackout:"));
    for (const [name, service] of own) {
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(
        "http://otel-collector:4318",
      );
      expect(service.environment?.OTEL_SERVICE_NAME, name).toBe(name.replace(/-\d+$/, ""));
    }
    // The fleet samples its polls; the others follow the decision they are handed.
    expect(services.clients?.environment).toMatchObject({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.01",
    });
    expect(services.prometheus?.command).toContain("--enable-feature=exemplar-storage");
  });

  it("scrapes, in observability/prometheus/compose.yml, every service that serves metrics", () => {
    const scrape = parse(
      readFileSync(join(repo, "observability/prometheus/compose.yml"), "utf8"),
    ) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets),
    );
    const expected = Object.entries(services)
      .filter(([, s]) => s.image?.startsWith("blackout:"))
      .map(([name, s]) => `${name}:${s.environment?.HTTP_PORT}`);
    // The brokers' own metrics: the JMX exporter's agent, which each broker loads.
    const brokers = Object.keys(services).filter((name) => /^kafka-\d$/.test(name));
    expect(brokers).toHaveLength(3);
    for (const name of brokers) {
      expect(services[name]?.environment?.KAFKA_OPTS, name).toBe(
        `-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar=9404:/etc/kafka-metrics/jmx-exporter.yml`,
      );
      expect(services[name]?.volumes, name).toContain(
        "./observability/kafka/jmx-exporter.yml:/etc/kafka-metrics/jmx-exporter.yml:ro",
      );
      expected.push(`${name}:9404`);
    }
    expect(targets.sort()).toEqual(expected.sort());
  });
});
