import { afterEach, describe, expect, it } from "vitest";
import { passingScorecard } from "../chaos/reports/scorecard.fixture.ts";
import { createControlClient } from "../contract/controlClient.ts";
import { type RunState } from "../contract/runs.ts";
import {
  createFakeControl,
  type FakeControl,
  type FakeAnswer,
} from "../contract/fakeControl.fixture.ts";
import { followRun } from "./followRun.ts";
import type { ProgressOutput } from "./progressOutput.ts";

const scorecard = passingScorecard();
const passed: RunState = {
  id: scorecard.run.id,
  status: "passed",
  progress: { phase: "done", step: 2, steps: 2, message: "4/4 SLOs hold" },
  scorecard,
};

function recordingOutput(): ProgressOutput & { said: string[]; shown: string[] } {
  const said: string[] = [];
  const shown: string[] = [];
  return {
    said,
    shown,
    show: (progress) => shown.push(progress.phase),
    say: (text) => said.push(text),
    finish: () => undefined,
  };
}

describe("followRun", () => {
  let control: FakeControl | undefined;
  afterEach(async () => {
    await control?.close();
    control = undefined;
  });

  /** Control answering GET /api/runs/:id with `answers` in turn, the last one from then on. */
  async function follow(answers: FakeAnswer[], abort = new AbortController().signal) {
    let next = 0;
    control = await createFakeControl((request) => {
      if (request.method === "POST") return { status: 200, body: {} };
      const answer = answers[Math.min(next, answers.length - 1)];
      next += 1;
      return answer;
    });
    const output = recordingOutput();
    const result = await followRun(createControlClient({ baseUrl: control.url }), passed.id, {
      pollMs: 10,
      now: Date.now,
      startedAt: Date.now(),
      abort,
      giveUp: new AbortController().signal,
      output,
    });
    return { ...result, output };
  }

  it("rides out a 5xx from control, saying so once", async () => {
    const { state, lost, output } = await follow([
      { status: 503, body: { error: "internal error" } },
      { status: 503, body: { error: "internal error" } },
      { status: 200, body: passed },
    ]);
    expect(lost).toBeUndefined();
    expect(state?.status).toBe("passed");
    expect(output.said).toEqual(["control answered 503: internal error; trying for 30 s\n"]);
    expect(output.shown).toEqual(["done"]);
  });

  it("gives up at once when control no longer knows the run", async () => {
    const { state, lost } = await follow([{ status: 404, body: { error: "no run run-1" } }]);
    expect(state).toBeUndefined();
    expect(lost).toBe("control answered 404: no run run-1");
  });

  it("sends the abort and the emergency stop once when aborted, then follows to the end", async () => {
    const abort = new AbortController();
    abort.abort();
    const { state } = await follow([{ status: 200, body: passed }], abort.signal);
    expect(state?.status).toBe("passed");
    expect(control?.requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      `/api/runs/${passed.id}/abort`,
      "/api/stop",
    ]);
  });
});
