import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createComponentReadiness } from "./componentReadiness.ts";
import { fakeComponent, fakeIncarnation } from "./supervisedComponent.fixture.ts";
import { createSupervisorEvents } from "./supervisorEvents.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function readinessOf(answers: (boolean | Error)[]) {
  const events = createSupervisorEvents({ now: () => Date.now(), progress: () => undefined });
  const readiness = createComponentReadiness({ readyPollMs: 100, now: () => 5000, events });
  let checks = 0;
  const component = fakeComponent("consumer-0", "consumer", () => {
    const answer = answers[Math.min(checks, answers.length - 1)];
    checks += 1;
    if (answer instanceof Error) throw answer;
    return Promise.resolve(answer ?? false);
  });
  const incarnation = fakeIncarnation(component);
  const types = () => events.eventsAfter(0).map((e) => e.type);
  return { readiness, component, incarnation, types, checks: () => checks };
}

describe("component readiness", () => {
  it("records a change with its event and readySince, and nothing for no change", () => {
    const { readiness, component, types } = readinessOf([]);
    readiness.set(component, true);
    readiness.set(component, true);
    expect(component).toMatchObject({ ready: true, readySince: 5000 });
    readiness.set(component, false);
    expect(types()).toEqual(["ready", "unready"]);
  });

  it("checks every readyPollMs; a check that throws counts as not ready", async () => {
    const { readiness, component, incarnation, types, checks } = readinessOf([
      false,
      true,
      new Error("refused"),
      true,
    ]);
    readiness.poll(component, incarnation);
    await vi.advanceTimersByTimeAsync(99);
    expect(checks()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(component.ready).toBe(false);
    await vi.advanceTimersByTimeAsync(300);
    expect(checks()).toBe(4);
    expect(types()).toEqual(["ready", "unready", "ready"]);
  });

  it("stops polling an incarnation that was frozen, replaced or stopped meanwhile", async () => {
    for (const change of [
      (c: ReturnType<typeof readinessOf>) => (c.incarnation.generation += 1),
      (c: ReturnType<typeof readinessOf>) => fakeIncarnation(c.component),
      (c: ReturnType<typeof readinessOf>) => (c.component.status = "stopped"),
    ]) {
      const c = readinessOf([true]);
      c.readiness.poll(c.component, c.incarnation);
      change(c);
      await vi.advanceTimersByTimeAsync(500);
      expect(c.checks()).toBe(1);
      expect(c.types()).toEqual([]);
    }
  });
});
