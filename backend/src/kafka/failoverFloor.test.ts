import { describe, expect, it } from "vitest";
import { failoverFloor, type FloorSettings } from "./failoverFloor.ts";

const typical: FloorSettings = {
  brokerSessionTimeoutMs: 9000,
  brokerHeartbeatIntervalMs: 2000,
  quorumFetchTimeoutMs: 2000,
  groupInitialRebalanceDelayMs: 3000,
  consumerSessionTimeoutMs: 30_000,
  consumerTakeOver: false,
};
const tuned: FloorSettings = {
  ...typical,
  brokerSessionTimeoutMs: 3000,
  brokerHeartbeatIntervalMs: 500,
  groupInitialRebalanceDelayMs: 0,
  consumerSessionTimeoutMs: 6000,
  consumerTakeOver: true,
};
const kill = (kind: "consumer" | "producer" | "broker", mode: "hard" | "graceful") =>
  ({ kind, action: "kill", mode }) as const;

describe("failoverFloor", () => {
  it("is the dead consumer's session, unless the replacement takes its group over", () => {
    expect(failoverFloor(kill("consumer", "hard"), typical)).toEqual({
      ms: 30_000,
      because: "the dead member holds its partitions for its session (SESSION_TIMEOUT_MS 30 s)",
    });
    expect(failoverFloor(kill("consumer", "hard"), tuned)?.ms).toBe(0);
    // A consumer that left its group leaves an empty one: the rebalance delay, either way.
    expect(failoverFloor(kill("consumer", "graceful"), typical)?.ms).toBe(3000);
  });

  it("is the fencing of a dead broker, after an election when it was the active controller", () => {
    expect(failoverFloor(kill("broker", "hard"), typical)?.ms).toBe(9000);
    expect(failoverFloor(kill("broker", "hard"), tuned)?.ms).toBe(3000);
    expect(failoverFloor({ ...kill("broker", "hard"), activeController: true }, typical)).toEqual({
      ms: 11_000,
      because:
        "a new controller is elected (controller.quorum.fetch.timeout.ms 2 s), then fences the dead broker (broker.session.timeout.ms 9 s)",
    });
    // Controlled shutdown moves leaders on the next heartbeat, controller or not.
    expect(failoverFloor(kill("broker", "graceful"), tuned)?.ms).toBe(500);
  });

  it("is none for a producer, and undefined for a freeze, whose length the operator chose", () => {
    expect(failoverFloor(kill("producer", "hard"), typical)?.ms).toBe(0);
    expect(failoverFloor({ kind: "consumer", action: "freeze" }, typical)).toBeUndefined();
  });
});
