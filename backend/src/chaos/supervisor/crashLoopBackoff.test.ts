import { describe, expect, it } from "vitest";
import { createCrashLoopBackoff } from "./crashLoopBackoff.ts";
import { fakeComponent } from "./supervisedComponent.fixture.ts";

const backoff = createCrashLoopBackoff({
  restartDelayMs: 1000,
  maxRestartDelayMs: 10_000,
  stableMs: 30_000,
});

describe("the crash-loop backoff", () => {
  it("doubles the restart delay at each exit in a row, up to the cap", () => {
    const component = fakeComponent("consumer-0");
    const delays = [1, 2, 3, 4, 5, 6].map((i) => backoff.restartDelay(component, i, false));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(component).toMatchObject({ crashes: 6, backoffMs: 10_000 });
  });

  it("is not a loop after one exit, and is one from the second until an incarnation stays ready", () => {
    const component = fakeComponent("consumer-0");
    backoff.restartDelay(component, 0, false);
    expect(backoff.looping(component, 0)).toBe(false);
    backoff.restartDelay(component, 100, false);
    expect(backoff.looping(component, 100)).toBe(true);
    // Ready again, but not for long yet: still looping, and an exit now backs off further.
    Object.assign(component, { ready: true, readySince: 10_000 });
    expect(backoff.looping(component, 39_999)).toBe(true);
    expect(backoff.looping(component, 40_000)).toBe(false);
    expect(backoff.restartDelay(component, 20_000, false)).toBe(4000);
  });

  it("starts over after an incarnation that lived stableMs after it became ready", () => {
    const component = fakeComponent("consumer-0");
    for (let i = 0; i < 4; i += 1) backoff.restartDelay(component, i, false);
    // Its readiness check may have seen it dying first: ready or not at the exit does not matter.
    Object.assign(component, { ready: false, readySince: 1000 });
    expect(backoff.restartDelay(component, 31_000, false)).toBe(1000);
    expect(component).toMatchObject({ crashes: 1, backoffMs: undefined });
    expect(backoff.looping(component, 31_000)).toBe(false);
  });

  it("never backs off a kill by the lab, nor counts it, even in a crash loop", () => {
    const component = fakeComponent("consumer-0");
    expect(backoff.restartDelay(component, 0, true)).toBe(1000);
    expect(component.crashes).toBe(0);
    for (let i = 1; i <= 3; i += 1) backoff.restartDelay(component, i, false);
    expect(backoff.restartDelay(component, 5, true)).toBe(1000);
    expect(backoff.restartDelay(component, 6, true)).toBe(1000);
    expect(component.crashes).toBe(3);
    // The loop goes on where it was: the next exit of its own waits longer still.
    expect(backoff.restartDelay(component, 7, false)).toBe(8000);
  });

  it("never waits less than the restart delay, whatever the cap", () => {
    const flat = createCrashLoopBackoff({
      restartDelayMs: 5000,
      maxRestartDelayMs: 1000,
      stableMs: 30_000,
    });
    const component = fakeComponent("consumer-0");
    expect([1, 2, 3].map((i) => flat.restartDelay(component, i, false))).toEqual([
      5000, 5000, 5000,
    ]);
    expect(flat.looping(component, 3)).toBe(false);
  });
});
