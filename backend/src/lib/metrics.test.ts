import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

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
    expect(text).toContain("# TYPE blackout_producer_process_cpu_user_seconds_total counter");
    expect(text).toContain("# TYPE blackout_producer_nodejs_heap_size_used_bytes gauge");
    expect(text).not.toMatch(/^process_cpu/m);
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
