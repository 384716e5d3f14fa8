import { describe, expect, it } from "vitest";
import { createMetrics } from "../lib/metrics.ts";
import type { GroupLag, KafkaSnapshot } from "../contract/kafkaSnapshot.ts";
import { kafkaSnapshot } from "./kafkaSnapshot.fixture.ts";
import { createLagMetrics } from "./lagMetrics.ts";

const snapshot = (groups: GroupLag[]): KafkaSnapshot => kafkaSnapshot({ groups });

function group(name: string, lags: (number | null)[]): GroupLag {
  return {
    group: name,
    state: "Stable",
    members: 1,
    lag: null,
    partitions: lags.map((lag, partition) => ({
      partition,
      committed: lag === null ? null : 100 - lag,
      end: 100,
      lag,
    })),
  };
}

/** The gauge's sample lines, as Prometheus would scrape them. */
function lagLines(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("kafka_consumergroup_lag{"));
}

describe("createLagMetrics", () => {
  it("exports lag under the kafka-exporter's name and labels", async () => {
    const metrics = createMetrics("control");
    const lag = createLagMetrics(metrics);
    lag.update(snapshot([group("blackout-view-consumer-0", [0, 7])]));

    const text = await metrics.metricsText();
    expect(text).toContain("# TYPE kafka_consumergroup_lag gauge");
    expect(lagLines(text)).toEqual([
      'kafka_consumergroup_lag{consumergroup="blackout-view-consumer-0",topic="blackout.numbers",partition="0"} 0',
      'kafka_consumergroup_lag{consumergroup="blackout-view-consumer-0",topic="blackout.numbers",partition="1"} 7',
    ]);
  });

  it("has no series for an unknown lag and drops series that disappeared", async () => {
    const metrics = createMetrics("control");
    const lag = createLagMetrics(metrics);
    lag.update(snapshot([group("view-a", [5, 6]), group("view-b", [1])]));
    // view-b is gone (deleted group, or unreadable this time) and view-a lost its commit on 1.
    lag.update(snapshot([group("view-a", [2, null])]));

    expect(lagLines(await metrics.metricsText())).toEqual([
      'kafka_consumergroup_lag{consumergroup="view-a",topic="blackout.numbers",partition="0"} 2',
    ]);

    lag.update(snapshot([]));
    expect(lagLines(await metrics.metricsText())).toEqual([]);
  });
});
