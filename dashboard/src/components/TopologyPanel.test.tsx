import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import type { Topology } from "../../../backend/src/contract/topology.ts";
import { operatorSession, target, viewerSession } from "../testData.fixture.ts";
import { TopologyPanel } from "./TopologyPanel.tsx";

afterEach(cleanup);

function withKafka(): Topology {
  const partition = (p: number, leader: number, isr: number[]) => ({
    partition: p,
    leader,
    replicas: [1, 2, 3],
    isr,
    offlineReplicas: [],
  });
  return {
    at: 1,
    targets: [
      target("kafka-1", { nodeId: 1, leads: [0, 1], controller: true }),
      target("kafka-3", { nodeId: 3, status: "stopped", ready: false, leads: [] }),
      target("consumer-0", { lag: 5 }),
      target("producer-0"),
    ],
    kafka: {
      at: 1,
      topic: "blackout.numbers",
      brokers: [],
      controller: 1,
      partitions: [partition(0, 1, [1, 2]), partition(1, 1, [1, 2]), partition(2, 2, [1, 2, 3])],
      leads: {},
      groups: [],
      errors: {},
    },
  };
}

it("groups targets by kind and shows ISR health from Kafka's view", () => {
  render(
    <TopologyPanel
      topology={withKafka()}
      session={operatorSession}
      clientsByConsumer={{ "consumer-0": 9 }}
      onAction={() => undefined}
    />,
  );
  expect(screen.getByText(/2 of 3 partitions under-replicated/)).toBeTruthy();
  const down = within(screen.getByRole("article", { name: "kafka-3" }));
  expect(down.getByText("out of 2 partitions")).toBeTruthy();
  expect(
    within(screen.getByRole("article", { name: "kafka-1" })).getByText("in sync"),
  ).toBeTruthy();
  expect(within(screen.getByRole("article", { name: "consumer-0" })).getByText("9")).toBeTruthy();
});

it("makes every target read-only for a viewer", () => {
  render(
    <TopologyPanel
      topology={withKafka()}
      session={viewerSession}
      clientsByConsumer={{}}
      onAction={() => undefined}
    />,
  );
  const buttons = screen.getAllByRole<HTMLButtonElement>("button", { name: "Kill hard" });
  expect(buttons).toHaveLength(4);
  expect(buttons.every((b) => b.disabled)).toBe(true);
  expect(screen.getAllByText("read-only: enter the operator token to act")).toHaveLength(4);
});
