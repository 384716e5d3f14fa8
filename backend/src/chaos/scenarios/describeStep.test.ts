import { describe, expect, it } from "vitest";
import { describeStep } from "./describeStep.ts";

describe("describeStep", () => {
  it("writes each kind of step as the scenario has it", () => {
    expect(describeStep({ type: "kill", target: "leader-of:0", mode: "hard" })).toBe(
      "kill leader-of:0 (hard)",
    );
    expect(describeStep({ type: "freeze", target: "consumer-1", seconds: 20 })).toBe(
      "freeze consumer-1 for 20 s",
    );
    expect(describeStep({ type: "wait", ms: 1500 })).toBe("wait 1.5 s");
    expect(describeStep({ type: "rate", producer: "producer-0", perSecond: 200 })).toBe(
      "rate producer-0 200/s",
    );
  });
});
