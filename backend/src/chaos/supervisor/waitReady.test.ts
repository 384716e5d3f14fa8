import { describe, expect, it } from "vitest";
import { fakeComponent } from "./supervisedComponent.fixture.ts";
import { waitReady } from "./waitReady.ts";

describe("waitReady", () => {
  it("resolves once every component is ready, announcing each once", async () => {
    const a = fakeComponent("consumer-0");
    const b = fakeComponent("consumer-1");
    a.ready = true;
    const progress: string[] = [];
    const waiting = waitReady([a, b], 5000, {
      readyPollMs: 5,
      progress: (line) => progress.push(line),
      stopping: () => false,
    });
    setTimeout(() => (b.ready = true), 30);
    await waiting;
    expect(progress).toEqual(["consumer-0 ready", "consumer-1 ready"]);
  });

  it("rejects when the supervisor stops first, naming those not ready", async () => {
    const a = fakeComponent("consumer-0");
    await expect(
      waitReady([a], 5000, { readyPollMs: 5, progress: () => undefined, stopping: () => true }),
    ).rejects.toThrow("the supervisor stopped before consumer-0 became ready");
  });

  it("rejects after the timeout with how each fared and where its log is", async () => {
    const a = fakeComponent("consumer-0");
    Object.assign(a, { restarts: 2, crashes: 3, backoffMs: 400, lastExit: "exit code 3" });
    const b = fakeComponent("consumer-1");
    b.status = "running";
    await expect(
      waitReady([a, b], 20, { readyPollMs: 5, progress: () => undefined, stopping: () => false }),
    ).rejects.toThrow(
      "consumer-0 not ready after 20 ms (stopped, restarted 2 times, crash-looping: 3 exits in a " +
        "row, restarts backed off to 400 ms, last exit: exit code 3); " +
        "see /tmp/consumer-0.log; consumer-1 not ready after 20 ms (running); see /tmp/consumer-1.log",
    );
  });
});
