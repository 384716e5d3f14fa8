import { describe, expect, it } from "vitest";
import { fakeComponent } from "./supervisedComponent.fixture.ts";
import {
  createSupervisorEvents,
  EVENT_BUFFER_SIZE,
  type SupervisorEvent,
} from "./supervisorEvents.ts";

function events() {
  const progress: string[] = [];
  let clock = 1000;
  const log = createSupervisorEvents({
    now: () => (clock += 1),
    progress: (line) => progress.push(line),
  });
  return { log, progress };
}

describe("the supervisor's event log", () => {
  it("numbers and stamps targets' events, and drops services' ones", () => {
    const { log } = events();
    const heard: SupervisorEvent[] = [];
    log.onEvent((event) => heard.push(event));
    log.emit(fakeComponent("kafka-1", "broker"), "started", { detail: "pid 7" });
    log.emit(fakeComponent("gateway", "service"), "started");
    log.emit(fakeComponent("consumer-0"), "terminated", { byUs: true, detail: "signal SIGKILL" });
    expect(heard).toEqual([
      { seq: 1, type: "started", target: "kafka-1", kind: "broker", at: 1001, detail: "pid 7" },
      {
        seq: 2,
        type: "terminated",
        target: "consumer-0",
        kind: "consumer",
        at: 1002,
        byUs: true,
        detail: "signal SIGKILL",
      },
    ]);
    expect(log.eventsAfter(1)).toEqual([heard[1]]);
  });

  it("keeps the last EVENT_BUFFER_SIZE events for replay", () => {
    const { log } = events();
    const consumer = fakeComponent("consumer-0");
    for (let i = 0; i < EVENT_BUFFER_SIZE + 5; i += 1) log.emit(consumer, "ready");
    const kept = log.eventsAfter(0);
    expect(kept).toHaveLength(EVENT_BUFFER_SIZE);
    expect(kept[0]?.seq).toBe(6);
  });

  it("tells the other listeners when one throws, reports it, and stops telling an unsubscribed one", () => {
    const { log, progress } = events();
    const heard: string[] = [];
    log.onEvent(() => {
      throw new Error("boom");
    });
    const unsubscribe = log.onEvent((event) => heard.push(event.type));
    log.emit(fakeComponent("consumer-0"), "ready");
    unsubscribe();
    log.emit(fakeComponent("consumer-0"), "unready");
    expect(heard).toEqual(["ready"]);
    expect(progress).toEqual([
      "a lifecycle event listener failed: boom",
      "a lifecycle event listener failed: boom",
    ]);
  });
});
