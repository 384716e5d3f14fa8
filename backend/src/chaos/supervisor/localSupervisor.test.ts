import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { freePorts } from "../../lib/freePorts.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { EVENT_BUFFER_SIZE } from "./localSupervisor.ts";
import type { SupervisorMetrics } from "./supervisorMetrics.ts";
import { TargetStateError, UnknownTargetError } from "../orchestrators/orchestrator.ts";
import { createHarness, isAlive, processState, type Harness } from "./supervisorHarness.fixture.ts";

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.dispose()));
}, 20_000);

async function harness(options: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  const h = await createHarness(options);
  harnesses.push(h);
  return h;
}

/** A harness with consumer-0 started and ready. */
async function oneConsumer(
  options: Parameters<typeof createHarness>[0] = {},
  env: Record<string, string> = {},
): Promise<{ h: Harness; pid: number }> {
  const h = await harness(options);
  const [port] = await freePorts(1);
  h.supervisor.add(h.child("consumer-0", port ?? 0, { env }));
  await h.start(["consumer-0"]);
  const pid = h.supervisor.targets()[0]?.pid;
  if (pid === undefined) throw new Error("consumer-0 has no pid");
  return { h, pid };
}

const target = (h: Harness, name: string) => h.supervisor.components().find((c) => c.name === name);

/** The component's restarts_total by reason. */
async function restartsOf(
  metrics: SupervisorMetrics,
  component: string,
): Promise<Record<string, number>> {
  const { values } = await metrics.restarts.get();
  return Object.fromEntries(
    values
      .filter((v) => v.labels.component === component)
      .map((v) => [String(v.labels.reason), v.value]),
  );
}

async function backoffSecondsOf(metrics: SupervisorMetrics, component: string): Promise<number> {
  const text = await metrics.metrics.metricsText();
  const line = text
    .split("\n")
    .find((l) =>
      l.startsWith(`blackout_supervisor_restart_backoff_seconds{component="${component}"}`),
    );
  return Number(line?.split(" ").at(-1));
}

describe("the local supervisor", { timeout: 20_000 }, () => {
  it("starts components, waits for readiness, lists targets apart from services, and passes exactly the env given", async () => {
    const h = await harness();
    const [p1, p2, p3] = await freePorts(3);
    h.supervisor.add(h.child("consumer-1", p1 ?? 0, { env: { GREETING: "hello" } }));
    h.supervisor.add(h.child("gateway", p2 ?? 0, { kind: "service" }));
    h.supervisor.add({ ...h.child("kafka-1", p3 ?? 0, { kind: "broker" }), nodeId: 1 });
    await h.start(["kafka-1", "consumer-1", "gateway"]);

    expect(h.supervisor.targets().map((t) => [t.name, t.kind, t.status, t.ready])).toEqual([
      ["kafka-1", "broker", "running", true],
      ["consumer-1", "consumer", "running", true],
    ]);
    expect(h.supervisor.targets()[0]?.nodeId).toBe(1);
    const gateway = target(h, "gateway");
    expect(gateway).toMatchObject({ kind: "service", status: "running", ready: true, restarts: 0 });
    expect(gateway?.pid).toBeGreaterThan(0);
    const consumer = target(h, "consumer-1");
    expect(consumer?.startedAt).toBeLessThanOrEqual(consumer?.readySince ?? 0);

    expect(h.events.filter((e) => e.target === "consumer-1").map((e) => e.type)).toEqual([
      "started",
      "ready",
    ]);
    expect(h.events.some((e) => e.target === "gateway")).toBe(false);
    expect(h.events.map((e) => e.seq)).toEqual(h.events.map((_, i) => i + 1));
    expect(h.supervisor.eventsAfter(2)).toEqual(h.events.slice(2));
    expect(h.progress).toContain("consumer-1 ready");

    const env = await (await fetch(`http://127.0.0.1:${p1}/env`)).json();
    expect(env).toEqual({ PORT: String(p1), GREETING: "hello" });
  });

  it("restarts a hard-killed target with the same name after the restart delay", async () => {
    const { h, pid } = await oneConsumer();
    const before = h.events.length;
    await h.supervisor.kill("consumer-0", "hard");
    const terminated = await h.nextEvent("consumer-0", "terminated", before);
    expect(terminated).toMatchObject({ kind: "consumer", byUs: true, detail: "signal SIGKILL" });
    expect(isAlive(pid)).toBe(false);
    const started = await h.nextEvent("consumer-0", "started", terminated.seq);
    expect(started.at - terminated.at).toBeGreaterThanOrEqual(200);
    await h.nextEvent("consumer-0", "ready", started.seq);
    expect(h.events.slice(before).map((e) => e.type)).toEqual([
      "unready",
      "terminated",
      "started",
      "ready",
    ]);
    const after = h.supervisor.targets()[0];
    expect(after).toMatchObject({
      name: "consumer-0",
      status: "running",
      ready: true,
      restarts: 1,
    });
    expect(after?.pid).not.toBe(pid);
    expect(isAlive(after?.pid ?? 0)).toBe(true);
  });

  it("kills gracefully with SIGTERM, and escalates to SIGKILL when SIGTERM is not enough", async () => {
    const { h } = await oneConsumer();
    const before = h.events.length;
    await h.supervisor.kill("consumer-0", "graceful");
    const terminated = await h.nextEvent("consumer-0", "terminated", before);
    expect(terminated).toMatchObject({ byUs: true, detail: "exit code 0" });
    expect(await readFile(join(h.dir, "logs", "consumer-0.log"), "utf8")).toContain("SIGTERM");

    const stubborn = await oneConsumer({ stopTimeoutMs: 300 }, { IGNORE_SIGTERM: "1" });
    const mark = stubborn.h.events.length;
    await stubborn.h.supervisor.kill("consumer-0", "graceful");
    expect(await stubborn.h.nextEvent("consumer-0", "terminated", mark, 3000)).toMatchObject({
      byUs: true,
      detail: "signal SIGKILL",
    });
  });

  it("reports a kill from elsewhere as not ours, names the log file, and restarts the target", async () => {
    const { h, pid } = await oneConsumer();
    const before = h.events.length;
    process.kill(pid, "SIGKILL");
    const terminated = await h.nextEvent("consumer-0", "terminated", before);
    expect(terminated).toMatchObject({ byUs: false, detail: "signal SIGKILL" });
    await h.nextEvent("consumer-0", "ready", terminated.seq);
    expect(h.supervisor.targets()[0]?.restarts).toBe(1);
    const logFile = join(h.dir, "logs", "consumer-0.log");
    expect(
      h.progress.some((line) => line.includes("exited unexpectedly") && line.includes(logFile)),
    ).toBe(true);
  });

  it("freezes a target with SIGSTOP and thaws it after the given seconds", async () => {
    const { h, pid } = await oneConsumer();
    const before = h.events.length;
    await h.supervisor.freeze("consumer-0", 1);
    expect(h.supervisor.targets()[0]).toMatchObject({ status: "frozen", ready: false });
    expect(h.events.slice(before).map((e) => e.type)).toEqual(["frozen", "unready"]);
    await waitFor(() => processState(pid) === "T", { what: "a stopped process", timeoutMs: 2000 });
    await sleep(500);
    expect(processState(pid)).toBe("T");
    expect(h.supervisor.targets()[0]?.status).toBe("frozen");

    const thawed = await h.nextEvent("consumer-0", "thawed", before, 3000);
    expect(thawed.at - (h.events[before]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await h.nextEvent("consumer-0", "ready", thawed.seq);
    expect(processState(pid)).not.toBe("T");
    expect(h.supervisor.targets()[0]).toMatchObject({ status: "running", ready: true, pid });
  });

  it("thaws every frozen target at once on thawAll", async () => {
    const { h, pid } = await oneConsumer();
    await h.supervisor.freeze("consumer-0", 60);
    await waitFor(() => processState(pid) === "T", { what: "a stopped process", timeoutMs: 2000 });
    const before = h.events.length;
    expect(h.supervisor.thawAll()).toEqual(["consumer-0"]);
    expect(h.supervisor.thawAll()).toEqual([]);
    await h.nextEvent("consumer-0", "ready", before);
    expect(processState(pid)).not.toBe("T");
    expect(h.events.slice(before).map((e) => e.type)).toEqual(["thawed", "ready"]);
  });

  it("kills a frozen target gracefully without waiting for the stop timeout", async () => {
    const { h } = await oneConsumer({ stopTimeoutMs: 10_000 });
    await h.supervisor.freeze("consumer-0", 60);
    const before = h.events.length;
    await h.supervisor.kill("consumer-0", "graceful");
    const terminated = await h.nextEvent("consumer-0", "terminated", before, 3000);
    expect(terminated).toMatchObject({ byUs: true, detail: "exit code 0" });
  });

  it("refuses services, unknown names, a stopped target and a frozen one's second freeze", async () => {
    const h = await harness({ restartDelayMs: 60_000 });
    const [p1, p2] = await freePorts(2);
    h.supervisor.add(h.child("consumer-0", p1 ?? 0));
    h.supervisor.add(h.child("gateway", p2 ?? 0, { kind: "service" }));
    await expect(h.supervisor.kill("consumer-0", "hard")).rejects.toThrow(
      "cannot kill consumer-0: it has not been started",
    );
    await h.start(["consumer-0", "gateway"]);

    await expect(h.supervisor.kill("gateway", "hard")).rejects.toThrow(UnknownTargetError);
    await expect(h.supervisor.freeze("gateway", 1)).rejects.toThrow(UnknownTargetError);
    await expect(h.supervisor.kill("consumer-9", "hard")).rejects.toThrow(
      'no target "consumer-9"; targets are consumer-0',
    );
    await expect(h.supervisor.freeze("consumer-0", 0)).rejects.toThrow(RangeError);
    await h.supervisor.freeze("consumer-0", 60);
    await expect(h.supervisor.freeze("consumer-0", 5)).rejects.toThrow(TargetStateError);
    await h.supervisor.kill("consumer-0", "hard");
    await h.nextEvent("consumer-0", "terminated");
    await expect(h.supervisor.kill("consumer-0", "graceful")).rejects.toThrow(
      /cannot kill consumer-0: it is not running \(signal SIGKILL\)/,
    );
    await expect(h.supervisor.freeze("consumer-0", 1)).rejects.toThrow(TargetStateError);
    expect(h.supervisor.targets()[0]).toMatchObject({
      status: "stopped",
      ready: false,
      pid: undefined,
    });
  });

  it("rejects start() naming the component and its log file when it does not become ready", async () => {
    const h = await harness();
    const [p1, p2] = await freePorts(2);
    h.supervisor.add(h.child("consumer-0", p1 ?? 0, { env: { READY_DELAY_MS: "60000" } }));
    h.supervisor.add({
      ...h.child("producer-0", p2 ?? 0, { kind: "producer" }),
      args: ["-e", "process.exit(3)"],
    });
    const logOf = (name: string) => join(h.dir, "logs", `${name}.log`);
    const failure = h.start(["consumer-0", "producer-0"], 1500);
    await expect(failure).rejects.toThrow(
      `consumer-0 not ready after 1500 ms (running); see ${logOf("consumer-0")}`,
    );
    await expect(failure).rejects.toThrow(
      /producer-0 not ready after 1500 ms \(.*last exit: exit code 3\); see /,
    );
    expect(
      h.progress.some(
        (line) =>
          line.startsWith("producer-0 exited unexpectedly (exit code 3)") &&
          line.endsWith(logOf("producer-0")),
      ),
    ).toBe(true);
    expect(target(h, "producer-0")?.restarts).toBeGreaterThanOrEqual(1);
  });

  it(
    "backs off a component that keeps exiting right after it starts, and shows it",
    { timeout: 60_000 },
    async () => {
      const h = await harness({ restartDelayMs: 100, maxRestartDelayMs: 400 });
      const { metrics } = h;
      const [port] = await freePorts(1);
      h.supervisor.add({
        ...h.child("producer-0", port ?? 0, { kind: "producer" }),
        args: ["-e", "process.exit(3)"],
      });
      const starting = h.start(["producer-0"], 60_000).catch((error: unknown) => error);
      await waitFor(() => h.events.filter((e) => e.type === "terminated").length >= 5, {
        what: "five exits",
        timeoutMs: 30_000,
      });
      const waits = h.events.flatMap((event, i) => {
        const next = h.events.slice(i + 1).find((e) => e.type === "started");
        return event.type === "terminated" && next !== undefined ? [next.at - event.at] : [];
      });
      // Each restart waits at least twice as long as the one before, up to the cap.
      [100, 200, 400, 400].forEach((least, i) => expect(waits[i]).toBeGreaterThanOrEqual(least));
      const loops = h.events.filter((e) => e.type === "crash-loop").map((e) => e.detail);
      expect(loops.slice(0, 3)).toEqual([
        "2 exits in a row, each before it stayed ready; restarting in 200 ms",
        "3 exits in a row, each before it stayed ready; restarting in 400 ms",
        "4 exits in a row, each before it stayed ready; restarting in 400 ms",
      ]);
      expect(
        h.progress.some((line) =>
          line.startsWith(
            "producer-0 exited unexpectedly (exit code 3); crash loop (3 exits in a row, each " +
              "before it stayed ready; restarting in 400 ms, backed off from 100 ms); see ",
          ),
        ),
      ).toBe(true);
      const shown = target(h, "producer-0")?.crashLoop;
      expect(shown?.backoffMs).toBe(400);
      expect(shown?.exits).toBeGreaterThanOrEqual(5);
      expect(await backoffSecondsOf(metrics, "producer-0")).toBe(0.4);
      await h.supervisor.stop();
      expect(await starting).toBeInstanceOf(Error);
      const starts = h.events.filter((e) => e.type === "started").length;
      expect(await restartsOf(metrics, "producer-0")).toEqual({ exited: starts - 1 });
    },
  );

  it(
    "ends a crash loop once the component stays ready, and the next exit restarts after the restart delay",
    { timeout: 60_000 },
    async () => {
      const { h } = await oneConsumer({ restartDelayMs: 100, stableMs: 1000 });
      const { metrics } = h;
      // Killed from outside the lab as soon as it starts, three times: exits of its own.
      for (let exit = 1; exit <= 3; exit += 1) {
        const pid = target(h, "consumer-0")?.pid ?? 0;
        const mark = h.events.length;
        process.kill(pid, "SIGKILL");
        await h.nextEvent("consumer-0", "started", mark, 5000);
      }
      expect(h.events.filter((e) => e.type === "crash-loop")).toHaveLength(2);
      expect(target(h, "consumer-0")?.crashLoop).toEqual({ exits: 3, backoffMs: 400 });
      expect(await backoffSecondsOf(metrics, "consumer-0")).toBe(0.4);

      // Ready for stableMs: out of the loop, shown so before any further exit.
      await waitFor(() => target(h, "consumer-0")?.crashLoop === undefined, {
        what: "the crash loop to end",
        timeoutMs: 30_000,
      });
      expect(target(h, "consumer-0")?.ready).toBe(true);
      expect(await backoffSecondsOf(metrics, "consumer-0")).toBe(0);
      const mark = h.events.length;
      process.kill(target(h, "consumer-0")?.pid ?? 0, "SIGKILL");
      await h.nextEvent("consumer-0", "started", mark, 5000);
      expect(h.events.slice(mark).some((e) => e.type === "crash-loop")).toBe(false);
      expect(h.progress.at(-2)).toMatch(
        /^consumer-0 exited unexpectedly \(signal SIGKILL\); restarting in 100 ms; see /,
      );
      expect(await restartsOf(metrics, "consumer-0")).toEqual({ exited: 4 });
    },
  );

  it(
    "restarts a target the lab killed after the restart delay, even in a crash loop",
    { timeout: 60_000 },
    async () => {
      const { h } = await oneConsumer({ restartDelayMs: 100 });
      const { metrics } = h;
      for (let exit = 1; exit <= 2; exit += 1) {
        const mark = h.events.length;
        process.kill(target(h, "consumer-0")?.pid ?? 0, "SIGKILL");
        await h.nextEvent("consumer-0", "started", mark, 5000);
      }
      expect(target(h, "consumer-0")?.crashLoop).toEqual({ exits: 2, backoffMs: 200 });

      // Chaos kills, each as soon as the replacement starts: none is backed off.
      for (let kill = 1; kill <= 3; kill += 1) {
        const mark = h.events.length;
        await h.supervisor.kill("consumer-0", "hard");
        const terminated = await h.nextEvent("consumer-0", "terminated", mark, 5000);
        expect(terminated.byUs).toBe(true);
        const started = await h.nextEvent("consumer-0", "started", terminated.seq, 5000);
        expect(started.at - terminated.at).toBeGreaterThanOrEqual(100);
        expect(h.progress).toContain(
          "consumer-0 terminated (signal SIGKILL); restarting in 100 ms",
        );
        expect(h.progress.filter((line) => line.includes("terminated (signal SIGKILL)"))).toEqual(
          Array.from(
            { length: kill },
            () => "consumer-0 terminated (signal SIGKILL); restarting in 100 ms",
          ),
        );
      }
      expect(h.events.filter((e) => e.type === "crash-loop")).toHaveLength(1);
      // The loop is where it was: kills by the lab neither count nor clear it.
      expect(target(h, "consumer-0")?.crashLoop).toEqual({ exits: 2, backoffMs: 200 });
      expect(await restartsOf(metrics, "consumer-0")).toEqual({ exited: 2, killed: 3 });
    },
  );

  it("keeps the last EVENT_BUFFER_SIZE events for replay", async () => {
    const { h } = await oneConsumer({}, {});
    for (let i = 0; i < EVENT_BUFFER_SIZE / 2 + 10; i++) {
      await h.supervisor.freeze("consumer-0", 60);
      h.supervisor.thawAll();
    }
    const kept = h.supervisor.eventsAfter(0);
    expect(kept).toHaveLength(EVENT_BUFFER_SIZE);
    expect(kept.at(-1)).toEqual(h.events.at(-1));
    expect(kept[0]?.seq).toBe((h.events.at(-1)?.seq ?? 0) - EVENT_BUFFER_SIZE + 1);
  });

  it("stops start() waves in reverse order, escalates, restarts nothing, and leaves no process", async () => {
    const h = await harness({ stopTimeoutMs: 500 });
    const [p1, p2, p3] = await freePorts(3);
    h.supervisor.add(h.child("kafka-1", p1 ?? 0, { kind: "broker" }));
    h.supervisor.add(h.child("consumer-0", p2 ?? 0, { env: { TERM_DELAY_MS: "300" } }));
    h.supervisor.add(h.child("consumer-1", p3 ?? 0, { env: { IGNORE_SIGTERM: "1" } }));
    await h.start(["kafka-1"]);
    await h.start(["consumer-0", "consumer-1"]);
    const before = h.events.length;
    const stopping = h.supervisor.stop();
    await expect(h.supervisor.kill("kafka-1", "hard")).rejects.toThrow("the lab is stopping");
    await Promise.all([stopping, h.supervisor.stop()]);

    const terminations = h.events.slice(before).filter((e) => e.type === "terminated");
    expect(terminations.map((e) => [e.target, e.detail, e.byUs])).toEqual([
      ["consumer-0", "exit code 0", true],
      ["consumer-1", "signal SIGKILL", true],
      ["kafka-1", "exit code 0", true],
    ]);
    expect(h.pids.size).toBe(3);
    expect([...h.pids].filter(isAlive)).toEqual([]);
    await sleep(400);
    expect(h.events.slice(before).some((e) => e.type === "started")).toBe(false);
    expect(h.supervisor.components().map((c) => c.status)).toEqual([
      "stopped",
      "stopped",
      "stopped",
    ]);
  });

  it("leaves no child behind when its own process is SIGKILLed", async () => {
    const h = await harness();
    const [port] = await freePorts(1);
    const parent = spawn(
      process.execPath,
      [join(import.meta.dirname, "supervisorParent.fixture.ts"), String(port), h.dir],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    parent.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let childPid: number | undefined;
    try {
      childPid = await waitFor(() => Number(output.trim()) || undefined, {
        what: "the supervised child's pid",
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      expect(isAlive(childPid)).toBe(true);
      parent.kill("SIGKILL");
      const pid = childPid;
      await waitFor(() => !isAlive(pid), { what: `child ${pid} to die`, timeoutMs: 5000 });
    } finally {
      parent.kill("SIGKILL");
      if (childPid !== undefined && isAlive(childPid)) process.kill(childPid, "SIGKILL");
    }
  });
});
