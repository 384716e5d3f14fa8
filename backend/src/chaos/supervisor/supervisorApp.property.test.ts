import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KILL_MODES } from "../../contract/targets.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import * as props from "../../lib/httpProperties.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createLocalSupervisor, type LocalSupervisor } from "./localSupervisor.ts";
import { fakeComponent } from "./supervisedComponent.fixture.ts";
import { countSubscriptions, type CountedSubscriptions } from "./supervisorHarness.fixture.ts";
import { createSupervisorApp } from "./supervisorApp.ts";
import { createSupervisorMetrics } from "./supervisorMetrics.ts";

/** Every route the supervisor serves. */
const ROUTES = [
  "/healthz",
  "/metrics",
  "/api/targets",
  "/api/components",
  "/api/targets/:name/kill",
  "/api/targets/:name/freeze",
  "/api/thaw",
  "/api/events",
];
const NAMES = ["consumer-0", "kafka-1", "gateway"];

/** What reached the supervisor: each kill or freeze and the target it named. */
const calls: { verb: string; name: string }[] = [];
let counted: CountedSubscriptions;
let supervisor: LocalSupervisor;
let server: RunningServer;

beforeAll(async () => {
  // Registered, never started: no process exists that a request could signal, and a kill or
  // freeze that passes the API's checks is refused by the supervisor itself (409, 404).
  const metrics = createSupervisorMetrics();
  supervisor = createLocalSupervisor({ restartDelayMs: 200, metrics });
  supervisor.add(fakeComponent("consumer-0").spec);
  supervisor.add(fakeComponent("kafka-1", "broker").spec);
  supervisor.add(fakeComponent("gateway", "service").spec);
  counted = countSubscriptions(supervisor);
  const recorded: LocalSupervisor = {
    ...counted.supervisor,
    kill(name, mode) {
      calls.push({ verb: "kill", name });
      return supervisor.kill(name, mode);
    },
    freeze(name, seconds) {
      calls.push({ verb: "freeze", name });
      return supervisor.freeze(name, seconds);
    },
  };
  const app = createSupervisorApp({
    supervisor: recorded,
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: metrics.metrics,
  });
  server = await listen(app, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await supervisor?.stop();
});

const supervisorState = () => ({
  components: supervisor.components(),
  targets: supervisor.targets(),
});

/**
 * The action and `:name` of a kill or freeze request as the router reads its target (an
 * absolute-form target's origin dropped, a trailing slash allowed), else undefined.
 */
function action(target: string): { verb: string; name: string } | undefined {
  const path = target.replace(/^http:\/\/[^/]*/, "");
  const match = /^\/api\/targets\/([^/?]+)\/(kill|freeze)\/?(\?.*)?$/.exec(path);
  if (match === null) return undefined;
  const [, name = "", verb = ""] = match;
  try {
    return { verb, name: decodeURIComponent(name) };
  } catch {
    // The router keeps a segment that does not decode as it came.
    return { verb, name };
  }
}

/**
 * Sends `request` and checks the rule, that nothing changed, that only a valid kill or freeze
 * reached the supervisor (and was refused there: it runs nothing, or has no such target), and
 * that a hung-up event stream left no subscription behind.
 */
async function checkSupervisorRequest(request: props.RawRequest): Promise<void> {
  const before = calls.length;
  const { answer } = await props.checkRequest(server.url, request, supervisorState);
  const reached = calls.slice(before);
  const asked = request.method === "POST" ? action(request.path) : undefined;
  if (asked === undefined || [400, 413, 415].includes(answer.status)) {
    expect(reached).toEqual([]);
  } else {
    expect(answer.status).toBeOneOf([404, 409]);
    expect(reached).toEqual([asked]);
  }
  await waitFor(() => counted.count === 0, {
    what: "the event stream's unsubscribe",
    timeoutMs: 2000,
    intervalMs: 5,
  });
}

const killOrFreezeBody = fc.oneof(
  props.bodyLike({ mode: fc.constantFrom(...KILL_MODES) }),
  props.bodyLike({ seconds: fc.integer({ min: 1, max: 600 }) }),
  props.anyJson,
);

describe("the supervisor's HTTP API, under random requests", () => {
  it("answers any request below 500, a 4xx saying what is wrong, and never kills or freezes on bad input", async () => {
    const requests = props.anyRequest(
      fc
        .tuple(
          props.pathsOf(ROUTES, { name: fc.constantFrom(...NAMES) }),
          props.queryOf({ after: fc.nat().map(String) }),
        )
        .map(([path, query]) => path + query),
      props.bodyText(killOrFreezeBody),
    );
    await fc.assert(fc.asyncProperty(requests, checkSupervisorRequest), {
      numRuns: props.PROPERTY_RUNS,
    });
  });

  it("passes on only a kill or freeze whose body is valid, to the target it names", async () => {
    const requests = fc.record({
      method: fc.constant("POST"),
      path: props.pathsOf(["/api/targets/:name/kill", "/api/targets/:name/freeze"], {
        name: fc.constantFrom(...NAMES),
      }),
      headers: fc.constant({ "content-type": "application/json" }),
      body: killOrFreezeBody.map((body) => JSON.stringify(body)),
    });
    await fc.assert(fc.asyncProperty(requests, checkSupervisorRequest), {
      numRuns: props.PROPERTY_RUNS,
    });
  });

  it("answers a body over 16 KiB with a 413, killing and freezing nothing", async () => {
    const before = calls.length;
    await props.expectBodyTooLarge(
      server.url,
      "POST",
      "/api/targets/consumer-0/kill",
      supervisorState,
    );
    await props.expectBodyTooLarge(
      server.url,
      "POST",
      "/api/targets/consumer-0/freeze",
      supervisorState,
    );
    expect(calls.length).toBe(before);
  });
});
