import { describe, expect, it } from "vitest";
import { fakeComponent, fakeIncarnation } from "./supervisedComponent.fixture.ts";
import { componentInfo, isTargetKind } from "./supervisedComponent.ts";

describe("supervised components", () => {
  it("reports a component's state with its spec's identity", () => {
    const broker = fakeComponent("kafka-1", "broker");
    expect(componentInfo({ ...broker, spec: { ...broker.spec, nodeId: 1 } }, false)).toEqual({
      name: "kafka-1",
      kind: "broker",
      status: "stopped",
      ready: false,
      chaos: true,
      restarts: 0,
      startedAt: undefined,
      readySince: undefined,
      pid: undefined,
      nodeId: 1,
    });
    const consumer = fakeComponent("consumer-0");
    fakeIncarnation(consumer);
    Object.assign(consumer, { ready: true, restarts: 1, startedAt: 10, readySince: 20 });
    expect(componentInfo(consumer, false)).toMatchObject({
      status: "running",
      ready: true,
      restarts: 1,
      startedAt: 10,
      readySince: 20,
    });
  });

  it("shows a crash loop's exits in a row and backoff only while it is crash-looping", () => {
    const consumer = fakeComponent("consumer-0");
    Object.assign(consumer, { restarts: 3, crashes: 3, backoffMs: 800 });
    expect(componentInfo(consumer, true).crashLoop).toEqual({ exits: 3, backoffMs: 800 });
    expect(componentInfo(consumer, false)).not.toHaveProperty("crashLoop");
  });

  it("tells targets from services", () => {
    expect(isTargetKind("consumer")).toBe(true);
    expect(isTargetKind("service")).toBe(false);
  });
});
