import { describe, expect, it } from "vitest";
import { waitFor } from "./waitFor.ts";

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
});
