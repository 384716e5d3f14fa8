import { expect, it } from "vitest";
import { fakeTarget } from "../../contract/targets.fixture.ts";
import { describeTargets } from "./topology.ts";

it("adds Kafka's leadership to brokers, group lag to consumers and their own state to producers", () => {
  const targets = [
    fakeTarget("kafka-1", "broker", { nodeId: 1 }),
    fakeTarget("kafka-2", "broker", { nodeId: 2 }),
    fakeTarget("producer-0", "producer"),
    fakeTarget("producer-1", "producer"),
    fakeTarget("consumer-0", "consumer"),
    fakeTarget("consumer-1", "consumer"),
  ];
  const kafka = {
    controller: 2,
    partitions: [
      { partition: 0, leader: 1 },
      { partition: 1, leader: 2 },
      { partition: 2, leader: 1 },
    ],
  };
  const views = describeTargets(
    targets,
    kafka,
    (target) => (target.name === "consumer-1" ? "would leave 0 ready consumers" : undefined),
    {
      producers: new Map([
        ["producer-0", { ratePerSecond: 20, paused: false, lastAcknowledged: 7 }],
      ]),
      groups: [
        { group: "blackout-view-consumer-0", lag: 12 },
        { group: "other-consumer-1", lag: 99 },
      ],
      groupPrefix: "blackout-view-",
    },
  );
  const byName = new Map(views.map((v) => [v.name, v]));
  expect(byName.get("kafka-1")).toMatchObject({ leads: [0, 2], controller: false, refusal: null });
  expect(byName.get("kafka-2")).toMatchObject({ leads: [1], controller: true });
  expect(byName.get("producer-0")?.producer).toEqual({
    ratePerSecond: 20,
    paused: false,
    lastAcknowledged: 7,
  });
  expect(byName.get("producer-1")).not.toHaveProperty("producer");
  expect(byName.get("consumer-0")).toMatchObject({ lag: 12, refusal: null });
  expect(byName.get("consumer-1")).toMatchObject({
    lag: null,
    refusal: "would leave 0 ready consumers",
  });
});
