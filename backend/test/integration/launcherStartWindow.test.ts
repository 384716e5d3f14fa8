import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { freeKafkaNodes } from "../../src/kafka/freeKafkaNodes.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { createTcpForwarder } from "../support/tcpForwarder.ts";
import { createTestCluster } from "../support/testCluster.ts";

// The window that once killed the launcher in CI (ECONNREFUSED right after "kafka-N ready"): a
// KRaft broker is registered, so the cluster lists it, but its listener refuses connections.
// Here node 2 advertises a port whose listener comes up only when the test says so, which holds
// that window open for as long as the test likes.
it("waits for a broker that is registered but refuses connections, instead of dying", async () => {
  const nodes = await freeKafkaNodes();
  const [late = 0] = await freePorts(1);
  const [first, second, third] = nodes;
  if (!first || !second || !third) throw new Error("expected three nodes");
  const progress: string[] = [];
  const { cluster, destroy } = await createTestCluster("start-window", {
    nodes: [first, { ...second, advertisedPort: late }, third],
    onProgress: (message) => progress.push(message),
  });
  const listener = createTcpForwarder(late, second.brokerPort);
  try {
    let outcome: "started" | Error | undefined;
    const starting = cluster.start().then(
      () => (outcome = "started"),
      (error: unknown) => (outcome = error instanceof Error ? error : new Error(String(error))),
    );
    const refusing = `kafka-2 registered but not answering on 127.0.0.1:${late}`;
    await waitFor(() => progress.some((line) => line.startsWith(refusing)), {
      what: `the launcher to see kafka-2 registered and refusing (it said: ${progress.join(" | ")})`,
      timeoutMs: 150_000,
      intervalMs: 200,
    });
    // The window stays open: the launcher keeps waiting rather than failing or going on.
    await sleep(8000);
    expect(outcome, progress.join("\n")).toBeUndefined();
    expect(progress.some((line) => line.startsWith("kafka-2 ready"))).toBe(false);

    await listener.open();
    await starting;
    expect(outcome, progress.join("\n")).toBe("started");
    expect(progress).toContain(`kafka-2 ready on 127.0.0.1:${late}`);
    expect(progress.at(-1)).toMatch(/^Kafka cluster ready: 3 brokers/);
    // Told once, not on every probe.
    expect(progress.filter((line) => line.startsWith(refusing))).toHaveLength(1);
  } finally {
    await listener.close();
    await destroy();
  }
}, 300_000);
