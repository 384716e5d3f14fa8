import { describe, expect, it } from "vitest";
import { WaitAborted, waitFor } from "./waitFor.ts";

describe("waitFor", () => {
  it("resolves with the first value that is neither undefined nor false", async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("refused");
        return Promise.resolve(calls === 3 ? "ready" : false);
      },
      { what: "the probe", timeoutMs: 5000, intervalMs: 1 },
    );
    expect(value).toBe("ready");
    expect(calls).toBe(3);
  });

  it("times out naming what it waited for and the probe's last error", async () => {
    await expect(
      waitFor(async () => Promise.reject(new Error("connection refused")), {
        what: "broker 2",
        timeoutMs: 30,
        intervalMs: 5,
      }),
    ).rejects.toThrow(/timed out after 30 ms waiting for broker 2: last error: connection refused/);
  });

  it("backs off, doubling each wait up to the bound, with jitter around it", async () => {
    const probedAt: number[] = [];
    await expect(
      waitFor(
        () => {
          probedAt.push(performance.now());
          return false;
        },
        {
          what: "a slow broker",
          timeoutMs: 400,
          intervalMs: 20,
          maxIntervalMs: 80,
          random: () => 1,
        },
      ),
    ).rejects.toThrow(/a slow broker/);
    const gaps = probedAt.slice(1).map((at, i) => at - (probedAt[i] ?? 0));
    // 20, 40, 80, 80 … each stretched by the jitter's +20 % (random() = 1), the last cut to fit.
    expect(gaps[0]).toBeGreaterThanOrEqual(23);
    expect(gaps[1]).toBeGreaterThanOrEqual(47);
    expect(gaps[2]).toBeGreaterThanOrEqual(95);
    expect(probedAt.length).toBeLessThan(9);
  });

  it("never waits past its deadline", async () => {
    const began = performance.now();
    await expect(
      waitFor(() => false, { what: "never", timeoutMs: 50, intervalMs: 5000 }),
    ).rejects.toThrow(/never/);
    expect(performance.now() - began).toBeLessThan(1000);
  });

  it("gives up at once when the probe says waiting cannot help", async () => {
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls += 1;
          throw new WaitAborted("kafka-2 exited while starting");
        },
        { what: "kafka-2", timeoutMs: 5000, intervalMs: 1 },
      ),
    ).rejects.toThrow(/^kafka-2 exited while starting$/);
    expect(calls).toBe(1);
  });
});
