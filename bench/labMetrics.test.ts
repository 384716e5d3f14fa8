import { describe, expect, it } from "vitest";
import { ownMetric } from "./labMetrics.ts";
import { parsePrometheusText } from "./prometheusText.ts";

describe("ownMetric", () => {
  const samples = parsePrometheusText(
    [
      'blackout_client_nodejs_memory_after_gc_bytes{kind="heap"} 40',
      'blackout_client_nodejs_memory_after_gc_bytes{kind="external"} 2',
      "blackout_client_trace_span_queue 7",
      "blackout_client_trace_span_queue_capacity 2048",
    ].join("\n"),
  );

  it("adds up a metric's label sets under whatever prefix the service has", () => {
    expect(ownMetric(samples, "nodejs_memory_after_gc_bytes")).toBe(42);
  });

  it("tells a metric from a longer one that starts with its name, and a missing one", () => {
    expect(ownMetric(samples, "trace_span_queue")).toBe(7);
    expect(ownMetric(samples, "trace_span_queue_capacity")).toBe(2048);
    expect(ownMetric(samples, "trace_spans_dropped_total")).toBeUndefined();
  });
});
