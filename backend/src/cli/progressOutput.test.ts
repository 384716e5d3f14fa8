import { describe, expect, it } from "vitest";
import type { CliIo } from "./cliIo.ts";
import { createProgressOutput } from "./progressOutput.ts";

function capture(tty: boolean) {
  const writes: { to: "out" | "err"; text: string }[] = [];
  const io: CliIo = {
    stdout: (text) => writes.push({ to: "out", text }),
    stderr: (text) => writes.push({ to: "err", text }),
    tty,
    columns: 60,
    onInterrupt: () => undefined,
    now: () => 0,
  };
  return { writes, output: createProgressOutput(io) };
}

const steady = { phase: "steady", step: 0, steps: 2, message: "steady state for 20 s" } as const;

describe("createProgressOutput", () => {
  it("on a terminal redraws one line and clears it before a message", () => {
    const { writes, output } = capture(true);
    output.show(steady, 1_000);
    output.show(steady, 2_000);
    output.say("aborting\n");
    output.finish();
    expect(writes).toEqual([
      { to: "out", text: "\r\x1b[2K[--------------------] 0:01 steady: steady state for 20 s" },
      { to: "out", text: "\r\x1b[2K[--------------------] 0:02 steady: steady state for 20 s" },
      { to: "out", text: "\r\x1b[2K" },
      { to: "err", text: "aborting\n" },
    ]);
  });

  it("in a log prints a line per change, not per poll", () => {
    const { writes, output } = capture(false);
    output.show(steady, 1_000);
    output.show(steady, 2_000);
    output.show({ ...steady, phase: "steps", step: 1, message: "kill consumer-1 (hard)" }, 21_000);
    output.finish();
    expect(writes.map((w) => w.text)).toEqual([
      "[0:01] steady: steady state for 20 s\n",
      "[0:21] step 1/2: kill consumer-1 (hard)\n",
    ]);
  });
});
