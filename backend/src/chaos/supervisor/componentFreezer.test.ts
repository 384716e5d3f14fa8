import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createComponentFreezer } from "./componentFreezer.ts";
import { createComponentReadiness } from "./componentReadiness.ts";
import { TargetStateError } from "../orchestrators/orchestrator.ts";
import { fakeComponent, fakeIncarnation } from "./supervisedComponent.fixture.ts";
import { createSupervisorEvents } from "./supervisorEvents.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function frozenLab() {
  const events = createSupervisorEvents({ now: () => Date.now(), progress: () => undefined });
  const readiness = createComponentReadiness({ readyPollMs: 100, now: () => Date.now(), events });
  const freezer = createComponentFreezer({ events, readiness });
  const component = fakeComponent("consumer-0");
  const incarnation = fakeIncarnation(component);
  readiness.set(component, true);
  const types = () => events.eventsAfter(1).map((e) => [e.type, e.detail]);
  return { freezer, component, incarnation, types };
}

describe("the component freezer", () => {
  it("freezes (unready meanwhile), thaws after the seconds given, and polls readiness again", async () => {
    const { freezer, component, incarnation, types } = frozenLab();
    freezer.freeze(component, incarnation, 2);
    expect(component).toMatchObject({ status: "frozen", ready: false });
    expect(types()).toEqual([
      ["frozen", "for 2 s"],
      ["unready", undefined],
    ]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(component.status).toBe("frozen");
    await vi.advanceTimersByTimeAsync(1);
    expect(component.status).toBe("running");
    await vi.advanceTimersByTimeAsync(100);
    expect(types().slice(2)).toEqual([
      ["thawed", undefined],
      ["ready", undefined],
    ]);
  });

  it("thaws now on request, and only the incarnation it froze", () => {
    const { freezer, component, incarnation } = frozenLab();
    freezer.freeze(component, incarnation, 60);
    const replacement = fakeIncarnation(component);
    component.status = "frozen";
    freezer.thaw(component, incarnation);
    expect(component.status).toBe("frozen");
    freezer.thaw(component, replacement);
    expect(component.status).toBe("running");
  });

  it("refuses seconds out of range and a second freeze", () => {
    const { freezer, component, incarnation } = frozenLab();
    for (const seconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => freezer.freeze(component, incarnation, seconds)).toThrow(RangeError);
    }
    freezer.freeze(component, incarnation, 1);
    expect(() => freezer.freeze(component, incarnation, 1)).toThrow(TargetStateError);
  });
});
