import { describe, expect, it } from "vitest";
import { createTokenBucket } from "./tokenBucket.ts";

function bucket(burst: number, intervalMs: number) {
  const clock = { now: 1_000_000 };
  const limiter = createTokenBucket({ burst, intervalMs, now: () => clock.now });
  return { limiter, clock };
}

describe("createTokenBucket", () => {
  it("allows a burst at once, then refuses naming the wait until the next token", () => {
    const { limiter } = bucket(3, 1000);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: true },
    ]);
    expect(limiter.take()).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it("refills one token per interval, and a refusal takes nothing", () => {
    const { limiter, clock } = bucket(2, 1000);
    limiter.take();
    limiter.take();
    clock.now += 400;
    expect(limiter.take()).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(limiter.take()).toEqual({ allowed: false, retryAfterMs: 600 });
    clock.now += 600;
    expect(limiter.take()).toEqual({ allowed: true });
    expect(limiter.take()).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it("never holds more than the burst, however long it was idle", () => {
    const { limiter, clock } = bucket(2, 1000);
    clock.now += 3_600_000;
    expect([limiter.take(), limiter.take(), limiter.take()].map((t) => t.allowed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("refills nothing when the clock steps back", () => {
    const { limiter, clock } = bucket(1, 1000);
    limiter.take();
    clock.now -= 5000;
    expect(limiter.take()).toEqual({ allowed: false, retryAfterMs: 1000 });
    clock.now += 1000;
    expect(limiter.take()).toEqual({ allowed: true });
  });

  it("keeps a sustained caller at one call per interval", () => {
    const { limiter, clock } = bucket(5, 1000);
    let allowed = 0;
    // A runaway script: a call every 10 ms for a minute.
    for (let t = 0; t < 60_000; t += 10) {
      if (limiter.take().allowed) allowed += 1;
      clock.now += 10;
    }
    expect(allowed).toBe(5 + 59);
  });
});
