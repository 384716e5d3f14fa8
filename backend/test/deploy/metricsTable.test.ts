import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSupervisorMetrics } from "../../src/chaos/supervisor/supervisorMetrics.ts";
import { createLagMetrics } from "../../src/kafka/lagMetrics.ts";
import { createMetrics, type Metrics } from "../../src/lib/metrics.ts";
import { publishSpanExportCounts } from "../../src/lib/spanExportCounts.ts";
import { createClientsMetrics } from "../../src/services/clients/clientsMetrics.ts";
import { createConsumerMetrics } from "../../src/services/consumer/consumerMetrics.ts";
import { createControlMetrics } from "../../src/services/control/controlMetrics.ts";
import { createGatewayMetrics } from "../../src/services/gateway/gatewayMetrics.ts";
import { createProducerMetrics } from "../../src/services/producer/producerMetrics.ts";

const table = readFileSync(join(import.meta.dirname, "../../../docs/metrics.md"), "utf8");

interface Row {
  readonly type: string;
  readonly labels: string;
}

/** The metric rows of docs/metrics.md: `| \`name\` | type | \`a\`, \`b\` or — | meaning |`. */
function documented(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of table.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const name = /^`([a-z_<>]+)`$/.exec(cells[1] ?? "")?.[1];
    if (name === undefined) continue;
    rows.set(name, { type: cells[2] ?? "", labels: cells[3] ?? "" });
  }
  return rows;
}

/** The prom-client defaults every registry has, by their name after the service's prefix. */
const processMetrics = new Set(
  createMetrics("x")
    .registry.getMetricsAsArray()
    .map((metric) => metric.name.replace(/^blackout_x_/, "")),
);

/** Every service's registry as it runs, tracing on: with the trace exporter's accounting. */
function registries(): Metrics[] {
  publishSpanExportCounts(() =>
    Promise.resolve({ exported: 0, queueFull: 0, exportFailed: 0, queued: 0, capacity: 1 }),
  );
  const control = createControlMetrics({ faultWindowMs: 180_000 });
  createLagMetrics(control.metrics);
  return [
    createProducerMetrics("producer-0").metrics,
    createConsumerMetrics().metrics,
    createGatewayMetrics().metrics,
    createClientsMetrics().metrics,
    control.metrics,
    createSupervisorMetrics().metrics,
  ];
}

describe("docs/metrics.md", () => {
  it("lists every metric the services register, with its type and labels, and no other", () => {
    const rows = documented();
    const seen = new Set<string>();
    for (const { registry } of registries()) {
      for (const metric of registry.getMetricsAsArray()) {
        const own = metric.name.replace(/^blackout_[a-z]+_/, "");
        if (metric.name !== own && processMetrics.has(own)) continue;
        // The tracing rows are written once for every service.
        const name = own.startsWith("trace_span") ? `blackout_<service>_${own}` : metric.name;
        const labels = (Reflect.get(metric, "labelNames") as string[] | undefined) ?? [];
        expect(rows.get(name), `${name} is not in docs/metrics.md`).toEqual({
          type: metric.type,
          labels: labels.length === 0 ? "—" : labels.map((label) => `\`${label}\``).join(", "),
        });
        seen.add(name);
      }
    }
    expect([...rows.keys()].filter((name) => !seen.has(name))).toEqual([]);
    expect(seen.size).toBeGreaterThan(30);
  });

  it("names the process metrics every service has", () => {
    expect(processMetrics.has("process_cpu_seconds_total")).toBe(true);
    expect(table).toContain("blackout_<service>_process_*");
    expect(table).toContain("blackout_<service>_nodejs_*");
  });
});
