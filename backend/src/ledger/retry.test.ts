import { describe, expect, it } from "vitest";
import { retry } from "./retry.ts";

/** A sleep that only records the waits, and a clock they advance. */
function fakeTime() {
  const waits: number[] = [];
  let clock = 0;
  return {
    waits,
    now: () => clock,
    sleep: (ms: number) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  };
}

/** Fails `failures` times, then answers its attempt number. */
function failing(failures: number, error = new Error("refused")) {
  return (attempt: number) =>
    attempt <= failures ? Promise.reject(error) : Promise.resolve(attempt);
}

const backoff = { initialMs: 100, maxMs: 1000 };

describe("retry", () => {
  it("answers the first success, doubling the waits before it up to the cap", async () => {
    const time = fakeTime();
    expect(await retry(failing(6), { ...backoff, ...time, random: () => 0 })).toBe(7);
    expect(time.waits).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("shortens each wait by up to the jitter, never past the cap", async () => {
    const time = fakeTime();
    await retry(failing(5), { ...backoff, jitter: 0.5, ...time, random: () => 1 });
    expect(time.waits).toEqual([50, 100, 200, 400, 500]);
    const spread = fakeTime();
    await retry(failing(40), { ...backoff, ...spread, random: Math.random });
    for (const wait of spread.waits.slice(4)) {
      expect(wait).toBeGreaterThanOrEqual(800);
      expect(wait).toBeLessThanOrEqual(1000);
    }
  });

  it("throws the last error after the attempts, or once past the deadline", async () => {
    const counted = fakeTime();
    const error = new Error("still down");
    await expect(retry(failing(9, error), { ...backoff, ...counted, attempts: 3 })).rejects.toBe(
      error,
    );
    expect(counted.waits).toHaveLength(2);
    const timed = fakeTime();
    const until = { ...backoff, ...timed, random: () => 0, deadline: 700 };
    await expect(retry(failing(9, error), until)).rejects.toBe(error);
    // Failures at 0, 100, 300 and 700 ms: the one at the deadline is thrown.
    expect(timed.waits).toEqual([100, 200, 400]);
  });

  it("stops at once on an error that is not retriable", async () => {
    const time = fakeTime();
    const fatal = new Error("bad request");
    const retriable = (error: unknown) => error !== fatal;
    await expect(retry(failing(5, fatal), { ...backoff, ...time, retriable })).rejects.toBe(fatal);
    expect(time.waits).toEqual([]);
  });

  it("tells of each retry before its wait", async () => {
    const seen: unknown[] = [];
    await retry(failing(2), {
      ...backoff,
      ...fakeTime(),
      random: () => 0,
      onRetry: (error, attempt, delay) => seen.push([(error as Error).message, attempt, delay]),
    });
    expect(seen).toEqual([
      ["refused", 1, 100],
      ["refused", 2, 200],
    ]);
  });

  it("ends with the abort's reason, also in the middle of a wait", async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const running = retry(
      (attempt) => {
        calls.push(attempt);
        return Promise.reject(new Error("down"));
      },
      { initialMs: 60_000, maxMs: 60_000, signal: controller.signal },
    );
    await Promise.resolve();
    controller.abort(new Error("stopped"));
    await expect(running).rejects.toThrow("stopped");
    expect(calls).toEqual([1]);
    const aborted = AbortSignal.abort(new Error("never started"));
    await expect(retry(failing(0), { ...backoff, signal: aborted })).rejects.toThrow(
      "never started",
    );
  });
});
