import { TraceFlags, context, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { useContextManager } from "../../test/support/otelContext.ts";
import { createMetrics, observeWithTrace } from "./metrics.ts";
import { publishSpanExportCounts } from "./spanExportCounts.ts";

useContextManager();

describe("createMetrics", () => {
  it("prefixes names and exposes them with the process metrics", async () => {
    const metrics = createMetrics("producer");
    const produced = metrics.counter({
      name: "records_produced_total",
      help: "Records acknowledged by Kafka.",
      labelNames: ["producer"],
    });
    const latency = metrics.histogram({
      name: "send_duration_seconds",
      help: "Time from send to acknowledgement.",
      buckets: [0.01, 0.1, 1],
    });
    const inFlight = metrics.gauge({ name: "in_flight_records", help: "Records awaiting an ack." });

    produced.inc({ producer: "producer-0" }, 3);
    latency.observe(0.05);
    inFlight.set(2);

    const text = await metrics.metricsText();
    expect(text).toContain('blackout_producer_records_produced_total{producer="producer-0"} 3');
    expect(text).toContain('blackout_producer_send_duration_seconds_bucket{le="0.1"} 1');
    expect(text).toContain("blackout_producer_in_flight_records 2");
    // OpenMetrics names a counter's family without its _total; its samples keep it.
    expect(text).toContain("# TYPE blackout_producer_process_cpu_user_seconds counter");
    expect(text).toMatch(/^blackout_producer_process_cpu_user_seconds_total \d/m);
    expect(text).toContain("# TYPE blackout_producer_nodejs_heap_size_used_bytes gauge");
    expect(text).not.toMatch(/^process_cpu/m);
    expect(text.endsWith("# EOF\n")).toBe(true);
    expect(metrics.registry.contentType).toMatch(/^application\/openmetrics-text/);
  });

  it("puts a sampled span's trace on a histogram bucket as its exemplar, and no other", async () => {
    const metrics = createMetrics("client");
    const latency = metrics.histogram({
      name: "latency_seconds",
      help: "h",
      buckets: [0.1, 1],
      enableExemplars: true,
    });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const sampled = trace.wrapSpanContext({
      traceId,
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
    });
    const unsampled = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.NONE,
    });

    context.with(trace.setSpan(context.active(), sampled), () => observeWithTrace(latency, 0.05));
    context.with(trace.setSpan(context.active(), unsampled), () => observeWithTrace(latency, 0.5));
    observeWithTrace(latency, 2);

    const text = await metrics.metricsText();
    expect(text).toMatch(
      new RegExp(
        `^blackout_client_latency_seconds_bucket\\{le="0.1"\\} 1 # \\{trace_id="${traceId}",span_id="00f067aa0ba902b7"\\} 0.05 \\d`,
        "m",
      ),
    );
    expect(text).toMatch(/^blackout_client_latency_seconds_bucket\{le="1"\} 2$/m);
    expect(text).toMatch(/^blackout_client_latency_seconds_bucket\{le="\+Inf"\} 3$/m);
    expect(text.match(/# \{trace_id/g)).toHaveLength(1);
  });

  it("keeps an ecosystem name as it is when asked to", async () => {
    const metrics = createMetrics("control");
    metrics
      .gauge({
        name: "kafka_consumergroup_lag",
        help: "Lag of a consumer group on a partition.",
        labelNames: ["consumergroup", "topic", "partition"],
        rawName: true,
      })
      .set(
        { consumergroup: "blackout-view-consumer-0", topic: "blackout.numbers", partition: "0" },
        7,
      );

    expect(await metrics.metricsText()).toMatch(/^kafka_consumergroup_lag\{.*partition="0"\} 7$/m);
  });

  it("refuses a counter that does not end in _total", () => {
    const metrics = createMetrics("consumer");
    expect(() =>
      metrics.counter({ name: "records_skipped", help: "Unparseable records." }),
    ).toThrow('counter "blackout_consumer_records_skipped" must end in _total');
  });

  it("refuses _total on a gauge or histogram", () => {
    const metrics = createMetrics("consumer");
    expect(() => metrics.gauge({ name: "records_total", help: "h" })).toThrow(
      'gauge "blackout_consumer_records_total" must not end in _total',
    );
    expect(() => metrics.histogram({ name: "wait_total", help: "h" })).toThrow(
      'histogram "blackout_consumer_wait_total"',
    );
  });

  it("refuses names that are not snake_case", () => {
    const metrics = createMetrics("consumer");
    expect(() => metrics.gauge({ name: "viewSize", help: "h" })).toThrow('gauge "viewSize"');
    expect(() => metrics.gauge({ name: "view__size", help: "h" })).toThrow("snake_case");
    expect(() => createMetrics("Consumer-0")).toThrow('"Consumer-0"');
  });

  it("shows the trace exporter's accounting once telemetry has published it", async () => {
    expect(await createMetrics("gateway").metricsText()).not.toContain("trace_span");

    let reads = 0;
    publishSpanExportCounts(() => {
      reads += 1;
      return Promise.resolve({
        exported: 40,
        queueFull: 7,
        exportFailed: 3,
        queued: 5,
        capacity: 2048,
      });
    });
    const text = await createMetrics("consumer").metricsText();
    // One reading of the meter per scrape, shared by the four metrics.
    expect(reads).toBe(1);

    expect(text).toContain("blackout_consumer_trace_spans_exported_total 40");
    expect(text).toContain('blackout_consumer_trace_spans_dropped_total{reason="queue_full"} 7');
    expect(text).toContain('blackout_consumer_trace_spans_dropped_total{reason="export_failed"} 3');
    expect(text).toContain("blackout_consumer_trace_span_queue 5");
    expect(text).toContain("blackout_consumer_trace_span_queue_capacity 2048");
  });

  it("gives every service its own registry", async () => {
    const producer = createMetrics("producer");
    const consumer = createMetrics("consumer");
    producer.counter({ name: "restarts_total", help: "Restarts." }).inc();
    consumer.counter({ name: "restarts_total", help: "Restarts." });

    expect(producer.registry).not.toBe(consumer.registry);
    expect(await producer.metricsText()).toContain("blackout_producer_restarts_total 1");
    expect(await producer.metricsText()).not.toContain("blackout_consumer_");
    expect(await consumer.metricsText()).toContain("blackout_consumer_restarts_total 0");
    expect(await consumer.metricsText()).not.toContain("blackout_producer_");
  });
});
