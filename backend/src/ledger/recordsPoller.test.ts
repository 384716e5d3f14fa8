import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PollFailureReason } from "./ledger.ts";
import type { RecordsAnswer } from "../contract/recordsAnswer.ts";
import { createRecordsPoller } from "./recordsPoller.ts";
import type { FetchLike, RecordsPoller } from "./recordsPoller.ts";

const POLL_MS = 500;

function answer(cursor: string): RecordsAnswer {
  return { consumer: "consumer-0", records: [], cursor, heads: {}, truncated: false, ready: true };
}

type Reply = Response | Error | "hang";

/**
 * A poller against a scripted fetch: each request takes the next reply (the last one repeats);
 * "hang" never answers until aborted. The clock is vitest's fake one.
 */
function scripted(replies: Reply[], spread: { jitter?: number; random?: () => number } = {}) {
  const requests: { url: string; at: number }[] = [];
  const answers: { cursor: string; at: number }[] = [];
  const failures: { at: number; reason: PollFailureReason; detail: string }[] = [];
  const fetch: FetchLike = (url, init) => {
    requests.push({ url, at: Date.now() });
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    if (reply === "hang") {
      return new Promise((_, reject) => {
        init.signal.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")),
        );
      });
    }
    if (reply instanceof Error || reply === undefined)
      return Promise.reject(reply ?? new Error("no reply"));
    return Promise.resolve(reply.clone());
  };
  const poller: RecordsPoller = createRecordsPoller({
    url: "api/records",
    pollMs: POLL_MS,
    fetch,
    now: () => Date.now(),
    random: spread.random ?? (() => 0.5),
    ...(spread.jitter === undefined ? {} : { jitter: spread.jitter }),
    onAnswer: (received, at) => answers.push({ cursor: received.cursor, at }),
    onFailure: (at, reason, detail) => failures.push({ at, reason, detail }),
  });
  return { poller, requests, answers, failures };
}

const ok = (cursor: string): Response => Response.json(answer(cursor));
const refused = (): Error =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
  });

describe("createRecordsPoller", () => {
  let client: ReturnType<typeof scripted> | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    client?.poller.stop();
    vi.useRealTimers();
  });

  it("subscribes without a cursor, then polls every pollMs with the cursor it was given", async () => {
    client = scripted([ok("producer-0:5"), ok("producer-0:7,producer-1:2")]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(1100);
    expect(client.requests).toEqual([
      { url: "api/records", at: 1_000_000 },
      { url: "api/records?cursor=producer-0%3A5", at: 1_000_500 },
      { url: "api/records?cursor=producer-0%3A7%2Cproducer-1%3A2", at: 1_001_000 },
    ]);
    expect(client.answers).toHaveLength(3);
    expect(client.poller.state()).toEqual({ kind: "live" });
  });

  it("asks again at once after a truncated answer: a client behind catches up between polls", async () => {
    const truncated = (cursor: string): Response =>
      Response.json({ ...answer(cursor), truncated: true });
    client = scripted([ok("a:1"), truncated("a:1001"), truncated("a:2001"), ok("a:2500")]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(600);
    // A timer's least delay is 1 ms.
    expect(client.requests.map((r) => r.at - 1_000_000)).toEqual([0, 500, 501, 502]);
    await vi.advanceTimersByTimeAsync(500);
    expect(client.requests.map((r) => r.at - 1_000_000)).toEqual([0, 500, 501, 502, 1002]);
  });

  it("long-polls when asked: wait= on every poll with a cursor, the next one as soon as an answer came", async () => {
    const requests: string[] = [];
    const held = createRecordsPoller({
      url: "api/records",
      pollMs: POLL_MS,
      waitMs: 2000,
      fetch: (url) => {
        requests.push(url);
        return new Promise((resolve) =>
          setTimeout(() => resolve(ok("a:1").clone()), url.includes("wait") ? 300 : 0),
        );
      },
      now: () => Date.now(),
      random: () => 0.5,
      onAnswer: () => undefined,
      onFailure: () => undefined,
    });
    held.start();
    await vi.advanceTimersByTimeAsync(700);
    held.stop();
    expect(requests).toEqual([
      "api/records",
      "api/records?cursor=a%3A1&wait=2000",
      "api/records?cursor=a%3A1&wait=2000",
      "api/records?cursor=a%3A1&wait=2000",
    ]);
  });

  it("spreads each interval by ± jitter × pollMs when asked (the fleet), never by default (the page)", async () => {
    const draws = [1, 0, 0.5];
    client = scripted([ok("producer-0:1")], { jitter: 0.1, random: () => draws.shift() ?? 0.5 });
    client.poller.start();
    await vi.advanceTimersByTimeAsync(1600);
    expect(client.requests.map((r) => r.at - 1_000_000)).toEqual([0, 550, 1000, 1500]);
  });

  it("backs off exponentially with jitter, capped at 5 s, and is live at pollMs again after an answer", async () => {
    const failures: Reply[] = Array.from({ length: 6 }, refused);
    client = scripted([ok("p:1"), ...failures, ok("p:2"), ok("p:2")]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(client.failures).toHaveLength(1);
    expect(client.failures[0]).toMatchObject({
      reason: "refused",
      detail: "fetch failed (ECONNREFUSED)",
    });
    expect(client.poller.state()).toEqual({ kind: "reconnecting", attempt: 1, nextAt: 1_000_950 });
    await vi.advanceTimersByTimeAsync(60_000);
    const gaps = client.requests
      .slice(1, 9)
      .map((request, i) => request.at - (client?.requests[i]?.at ?? 0));
    // pollMs, then 500, 1000, 2000, 4000, 5000, 5000 less 10 % jitter, then pollMs once answered.
    expect(gaps).toEqual([500, 450, 900, 1800, 3600, 4500, 4500, 500]);
    // The cursor survives the failures: the client asks for what it missed meanwhile.
    expect(client.requests[7]?.url).toBe("api/records?cursor=p%3A1");
    expect(client.requests[8]?.url).toBe("api/records?cursor=p%3A2");
    expect(client.poller.state()).toEqual({ kind: "live" });
  });

  it("fails a poll with no complete answer after 2 × pollMs (at least 1 s) as a timeout", async () => {
    client = scripted(["hang", ok("p:1")]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(client.failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.failures).toEqual([
      { at: 1_001_000, reason: "timeout", detail: "no answer in 1000 ms" },
    ]);
    await vi.advanceTimersByTimeAsync(450);
    expect(client.answers).toEqual([{ cursor: "p:1", at: 1_001_450 }]);
  });

  it("reports HTTP errors with the service's message, and subscribes again after a 400", async () => {
    client = scripted([
      ok("p:1"),
      Response.json({ error: "no ready consumer" }, { status: 503 }),
      Response.json({ error: 'cursor: "x" is not a producer:seq pair' }, { status: 400 }),
      ok("p:9"),
    ]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(client.failures.map(({ reason, detail }) => ({ reason, detail }))).toEqual([
      { reason: "http", detail: "HTTP 503: no ready consumer" },
      { reason: "http", detail: 'HTTP 400: cursor: "x" is not a producer:seq pair' },
    ]);
    expect(client.requests.map((request) => request.url).slice(0, 4)).toEqual([
      "api/records",
      "api/records?cursor=p%3A1",
      "api/records?cursor=p%3A1",
      "api/records",
    ]);
  });

  it("fails an answer that is not a records answer as bad-answer", async () => {
    client = scripted([new Response("<html>proxy error</html>"), Response.json({ consumer: 1 })]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(client.failures.map((failure) => failure.reason)).toEqual(["bad-answer", "bad-answer"]);
    expect(client.failures[1]?.detail).toBe("records answer: consumer must be a string");
  });

  it("stops polling and reports nothing after stop, even for a poll in flight", async () => {
    client = scripted([ok("p:1"), "hang"]);
    client.poller.start();
    await vi.advanceTimersByTimeAsync(600);
    client.poller.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.requests).toHaveLength(2);
    expect(client.failures).toEqual([]);
  });
});
