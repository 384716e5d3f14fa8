import { describe, expect, it } from "vitest";
import { waitNodesServing, type StartingNode } from "./waitNodesServing.ts";

const nodes: StartingNode[] = [1, 2].map((id) => ({
  id,
  address: `127.0.0.1:${id}9092`,
  logFile: `/data/node-${id}/server.log`,
}));
const refused = () => Promise.reject(new Error("connect ECONNREFUSED"));

describe("waitNodesServing", () => {
  it("waits while a registered broker still refuses connections, saying so once", async () => {
    let probes = 0;
    const said: string[] = [];
    await waitNodesServing({
      nodes,
      registered: () => Promise.resolve([1, 2]),
      answers: (address) => {
        if (address.endsWith(":29092") && (probes += 1) < 4) return refused();
        return Promise.resolve();
      },
      running: () => true,
      timeoutMs: 10_000,
      onReady: (node) => said.push(`kafka-${node.id} ready`),
      onRegisteredNotServing: (node, reason) => said.push(`kafka-${node.id}: ${reason}`),
    });
    expect(probes).toBe(4);
    expect(said).toEqual([
      "kafka-1 ready",
      "kafka-2: registered but not answering on 127.0.0.1:29092 (connect ECONNREFUSED)",
      "kafka-2 ready",
    ]);
  });

  it("retries when no broker answers the registration question yet", async () => {
    let asked = 0;
    await waitNodesServing({
      nodes,
      registered: () => ((asked += 1) < 3 ? refused() : Promise.resolve([1, 2])),
      answers: () => Promise.resolve(),
      running: () => true,
      timeoutMs: 10_000,
      onReady: () => undefined,
    });
    expect(asked).toBe(3);
  });

  it("names each node that is not ready, why, and its log when time runs out", async () => {
    await expect(
      waitNodesServing({
        nodes,
        registered: () => Promise.resolve([2]),
        answers: refused,
        running: () => true,
        timeoutMs: 300,
        onReady: () => undefined,
      }),
    ).rejects.toThrow(
      [
        "Kafka did not start within 0 s:",
        "  kafka-1: not registered with the controller yet; see /data/node-1/server.log",
        "  kafka-2: registered but not answering on 127.0.0.1:29092 (connect ECONNREFUSED); see /data/node-2/server.log",
      ].join("\n"),
    );
  });

  it("stops at once when a node's process exits", async () => {
    const began = Date.now();
    await expect(
      waitNodesServing({
        nodes,
        registered: () => Promise.resolve([]),
        answers: refused,
        running: (id) => id !== 2,
        timeoutMs: 60_000,
        onReady: () => undefined,
      }),
    ).rejects.toThrow("kafka-2 exited while starting; see /data/node-2/server.log");
    expect(Date.now() - began).toBeLessThan(5000);
  });
});
