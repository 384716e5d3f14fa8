import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createBackendPool,
  type BackendTransition,
  type ProbeResult,
  type ReadinessProbe,
} from "./backendPool.ts";

const A = "http://a:7200";
const B = "http://b:7201";
const C = "http://c:7202";

/** A probe whose answer per backend the test sets; unset means refused. */
function fakeProbe() {
  const answers = new Map<string, ProbeResult>();
  const probe: ReadinessProbe = (url) =>
    Promise.resolve(answers.get(url) ?? { ready: false, detail: "ECONNREFUSED" });
  const set = (url: string, ready: boolean) =>
    answers.set(url, { ready, detail: ready ? "200" : "503" });
  return { probe, set };
}

function pool(probe: ReadinessProbe, urls = [A, B, C]) {
  const transitions: BackendTransition[] = [];
  const backends = createBackendPool({
    urls,
    probe,
    pollMs: 500,
    onTransition: (transition) => transitions.push(transition),
    now: () => Date.UTC(2025, 0, 1),
  });
  return { backends, transitions };
}

function take(backends: { next(): string | undefined }, count: number): (string | undefined)[] {
  return Array.from({ length: count }, () => backends.next());
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createBackendPool", () => {
  it("has nothing in rotation before the first probe", () => {
    const { backends, transitions } = pool(fakeProbe().probe);
    expect(backends.next()).toBeUndefined();
    expect(backends.readyCount()).toBe(0);
    expect(transitions).toEqual([]);
  });

  it("goes round-robin over the ready backends only", async () => {
    const probe = fakeProbe();
    probe.set(A, true);
    probe.set(B, false);
    probe.set(C, true);
    const { backends, transitions } = pool(probe.probe);
    await backends.probeAll();
    expect(take(backends, 5)).toEqual([A, C, A, C, A]);
    expect(backends.readyCount()).toBe(2);
    expect(transitions).toEqual([
      { url: A, to: "up", reason: "probe 200" },
      { url: C, to: "up", reason: "probe 200" },
    ]);
    expect(backends.snapshot()).toEqual([
      {
        url: A,
        ready: true,
        reason: "probe 200",
        lastProbe: { at: "2025-01-01T00:00:00.000Z", ready: true, detail: "200" },
        requests: 3,
      },
      {
        url: B,
        ready: false,
        reason: "probe 503",
        lastProbe: { at: "2025-01-01T00:00:00.000Z", ready: false, detail: "503" },
        requests: 0,
      },
      {
        url: C,
        ready: true,
        reason: "probe 200",
        lastProbe: { at: "2025-01-01T00:00:00.000Z", ready: true, detail: "200" },
        requests: 2,
      },
    ]);
  });

  it("drops a backend at once on a refused connection and takes it back on a ready probe", async () => {
    const probe = fakeProbe();
    for (const url of [A, B, C]) probe.set(url, true);
    const { backends, transitions } = pool(probe.probe);
    await backends.probeAll();
    expect(take(backends, 2)).toEqual([A, B]);

    backends.markDown(B, "proxy ECONNREFUSED");
    expect(take(backends, 4)).toEqual([C, A, C, A]);
    expect(transitions.at(-1)).toEqual({ url: B, to: "down", reason: "proxy ECONNREFUSED" });
    // Dropping what is already out emits no second transition.
    backends.markDown(B, "proxy ECONNRESET");
    expect(transitions.filter((t) => t.to === "down")).toHaveLength(1);

    await backends.probeAll();
    expect(transitions.at(-1)).toEqual({ url: B, to: "up", reason: "probe 200" });
    expect(take(backends, 3)).toEqual([B, C, A]);
  });

  it("does not let a ready probe sent before a refused connection undo the drop", async () => {
    let answer: (result: ProbeResult) => void = () => undefined;
    const pending: ReadinessProbe = () => new Promise((resolve) => (answer = resolve));
    const { backends, transitions } = pool(pending, [A]);
    const probing = backends.probeAll();
    backends.markDown(A, "proxy ECONNREFUSED");
    answer({ ready: true, detail: "200" });
    await probing;
    expect(backends.next()).toBeUndefined();
    expect(transitions).toEqual([]);
    expect(backends.snapshot()[0]?.lastProbe).toMatchObject({ ready: true, detail: "200" });
  });

  it("takes a backend out when a probe says not ready or fails", async () => {
    const probe = fakeProbe();
    probe.set(A, true);
    const failing: ReadinessProbe = (url) =>
      url === A ? probe.probe(url) : Promise.reject(new Error("boom"));
    const { backends, transitions } = pool(failing, [A, B]);
    await backends.probeAll();
    probe.set(A, false);
    await backends.probeAll();
    expect(backends.next()).toBeUndefined();
    expect(transitions).toEqual([
      { url: A, to: "up", reason: "probe 200" },
      { url: A, to: "down", reason: "probe 503" },
    ]);
    expect(backends.snapshot()[1]?.lastProbe).toMatchObject({ ready: false, detail: "boom" });
  });

  it("probes every pollMs once started, and not after stop", async () => {
    vi.useFakeTimers();
    const probed: string[] = [];
    const probe: ReadinessProbe = (url) => {
      probed.push(url);
      return Promise.resolve({ ready: true, detail: "200" });
    };
    const { backends } = pool(probe, [A, B]);
    backends.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(probed).toEqual([A, B]);
    expect(backends.readyCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(probed).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(probed).toEqual([A, B, A, B]);
    await backends.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(probed).toHaveLength(4);
  });
});
