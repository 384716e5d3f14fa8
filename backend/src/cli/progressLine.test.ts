import { describe, expect, it } from "vitest";
import { progressBar, progressLine } from "./progressLine.ts";

describe("progress", () => {
  const step = { phase: "steps", step: 2, steps: 4, message: "kill leader-of:0 (hard)" } as const;

  it("prints a plain line with the elapsed time, the stage and the message", () => {
    expect(progressLine(step, 83_400)).toBe("[1:23] step 2/4: kill leader-of:0 (hard)");
    expect(
      progressLine({ phase: "steady", step: 0, steps: 4, message: "steady state for 20 s" }, 0),
    ).toBe("[0:00] steady: steady state for 20 s");
  });

  it("draws a bar that fills with the steps and fits the terminal", () => {
    expect(progressBar(step, 5_000, 120)).toBe(
      "[#####---------------] 0:05 step 2/4: kill leader-of:0 (hard)",
    );
    expect(progressBar({ ...step, phase: "settling" }, 5_000, 120)).toMatch(/^\[#{20}\]/);
    const narrow = progressBar(step, 5_000, 40);
    expect(narrow).toHaveLength(39);
    expect(narrow.endsWith("…")).toBe(true);
  });
});
