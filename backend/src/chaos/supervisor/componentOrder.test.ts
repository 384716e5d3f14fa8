import { describe, expect, it } from "vitest";
import { compareNames, sortComponents } from "./componentOrder.ts";
import { fakeComponent } from "./supervisedComponent.fixture.ts";

describe("component order", () => {
  it("sorts by kind (brokers, producers, consumers, services) then by name, numbers as numbers", () => {
    const sorted = sortComponents([
      fakeComponent("gateway", "service"),
      fakeComponent("consumer-10"),
      fakeComponent("producer-0", "producer"),
      fakeComponent("consumer-2"),
      fakeComponent("kafka-3", "broker"),
      fakeComponent("kafka-1", "broker"),
    ]);
    expect(sorted.map((c) => c.spec.name)).toEqual([
      "kafka-1",
      "kafka-3",
      "producer-0",
      "consumer-2",
      "consumer-10",
      "gateway",
    ]);
  });

  it("compares names numerically", () => {
    expect(["consumer-10", "consumer-2", "consumer-1"].sort(compareNames)).toEqual([
      "consumer-1",
      "consumer-2",
      "consumer-10",
    ]);
  });
});
