import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config.ts";
import { labConfigSchema } from "./labConfig.ts";
import { prometheusConfig } from "./prometheusConfig.ts";

const checkedIn = join(import.meta.dirname, "../../../observability/prometheus/local.yml");

describe("the local lab's Prometheus config", () => {
  it("is the checked-in observability/prometheus/local.yml for the default settings", () => {
    expect(prometheusConfig(loadConfig(labConfigSchema, {}))).toBe(readFileSync(checkedIn, "utf8"));
  });

  it("passes promtool's check (Debian package prometheus)", () => {
    const result = spawnSync("promtool", ["check", "config", checkedIn], { encoding: "utf8" });
    if (result.error)
      throw new Error(`promtool: ${result.error.message}; apt-get install prometheus`);
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("scrapes every producer and consumer the lab runs, on their ports", () => {
    const config = loadConfig(labConfigSchema, {
      PRODUCERS: "1",
      CONSUMERS: "4",
      CONSUMER_PORT: "9200",
    });
    const yaml = prometheusConfig(config);
    expect(yaml).toContain('- targets: ["127.0.0.1:7100"]');
    expect(yaml).toContain(
      '- targets: ["127.0.0.1:9200", "127.0.0.1:9201", "127.0.0.1:9202", "127.0.0.1:9203"]',
    );
    expect(yaml).toContain("metrics_path: /gateway/metrics");
  });
});
