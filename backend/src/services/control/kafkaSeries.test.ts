import { describe, expect, it } from "vitest";
import type { GroupLag, KafkaSnapshot } from "../../contract/kafkaSnapshot.ts";
import { kafkaSnapshot } from "../../kafka/kafkaSnapshot.fixture.ts";
import { createKafkaSeries } from "./kafkaSeries.ts";

function group(name: string, partitions: [number | null, number | null][]): GroupLag {
  return {
    group: name,
    state: "Stable",
    members: 1,
    lag: null,
    partitions: partitions.map(([committed, end], partition) => ({
      partition,
      committed,
      end,
      lag: committed === null || end === null ? null : end - committed,
    })),
  };
}

const snapshot = (at: number, groups: GroupLag[]): KafkaSnapshot => kafkaSnapshot({ at, groups });

describe("createKafkaSeries", () => {
  it("keeps per view consumer lag and position, and the topic's end offset", () => {
    const series = createKafkaSeries({ groupPrefix: "blackout-view-" });
    const a = {
      ...group("blackout-view-consumer-0", [
        [10, 12],
        [null, 0],
        [5, 5],
      ]),
      lag: 2,
    };
    const sample = series.add(
      snapshot(1000, [a, group("someone-else", [[1, 12]]), group("blackout-view-consumer-1", [])]),
    );
    // A partition no record went to has no commit: the known ones add up.
    expect(sample).toEqual({
      at: 1000,
      lag: { "consumer-0": 2, "consumer-1": null },
      committed: { "consumer-0": 15, "consumer-1": null },
      endOffset: 17,
    });
  });

  it("gives no end offset when a high watermark is unknown, and null for a group it could not read", () => {
    const series = createKafkaSeries({ groupPrefix: "v-" });
    const broken = { ...group("v-b", [[1, 2]]), error: "coordinator not available" };
    const sample = series.add(snapshot(1, [group("v-a", [[1, null]]), broken]));
    expect(sample.endOffset).toBeNull();
    expect(sample.lag).toEqual({ a: null, b: null });
    expect(sample.committed).toEqual({ a: 1, b: null });
  });

  it("forgets samples older than its history and answers those since a time", () => {
    const series = createKafkaSeries({ groupPrefix: "v-", historyMs: 10_000 });
    for (const at of [0, 5000, 9000, 16_000]) series.add(snapshot(at, []));
    expect(series.since(0).map((s) => s.at)).toEqual([9000, 16_000]);
    expect(series.since(10_000).map((s) => s.at)).toEqual([16_000]);
  });
});
