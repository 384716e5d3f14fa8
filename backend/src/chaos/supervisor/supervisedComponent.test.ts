import { describe, expect, it } from "vitest";
import { fakeComponent, fakeIncarnation } from "./supervisedComponent.fixture.ts";
import { componentInfo, isTargetKind } from "./supervisedComponent.ts";

describe("supervised components", () => {
  it("reports a component's state with its spec's identity", () => {
    const broker = fakeComponent("kafka-1", "broker");
    expect(componentInfo({ ...broker, spec: { ...broker.spec, nodeId: 1 } })).toEqual({
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
    expect(componentInfo(consumer)).toMatchObject({
      status: "running",
      ready: true,
      restarts: 1,
      startedAt: 10,
      readySince: 20,
    });
  });

  it("tells targets from services", () => {
    expect(isTargetKind("consumer")).toBe(true);
    expect(isTargetKind("service")).toBe(false);
  });
});
