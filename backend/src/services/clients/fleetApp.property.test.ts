import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../lib/httpApp.ts";
import * as props from "../../lib/httpProperties.fixture.ts";
import type { Fleet } from "./fleet.ts";
import { startFleetApp } from "./fleetApp.fixture.ts";
import { createFakeRecordsApi } from "./recordsApi.fixture.ts";

/** Every route the fleet serves, the operational ones included. */
const ROUTES = [
  ...props.OPERATIONAL_ROUTES,
  "/api/summary",
  "/api/clients/:id",
  "/api/faults",
  "/api/faults/:id/recovery",
];
/** The fleet's clock stands still, so that its answers only change through its API. */
const NOW = Date.UTC(2026, 0, 1);
/** Fault ids the requests use most, so that they meet faults followed before. */
const FAULT_IDS = ["fault-1", "fault-2", "f:3"];

const faultId = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FAULT_IDS) },
  props.hostileString,
);
const t0 = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(NOW - 1000, NOW - 30_000) },
  { weight: 3, arbitrary: fc.integer({ min: NOW - 70_000, max: NOW + 12_000 }) },
  fc.constantFrom(0, -1, NOW + 0.5, Number.MAX_SAFE_INTEGER, 1e308),
);
const clientId = fc.oneof(
  fc.nat({ max: 5 }).map((index) => `client-${index}`),
  props.hostileString,
);

let server: RunningServer;
let fleet: Fleet;

beforeAll(async () => {
  // Never started: no client polls, so nothing but a request changes the fleet.
  ({ fleet, server } = await startFleetApp(createFakeRecordsApi(() => NOW).fetch, () => NOW));
});
afterAll(async () => {
  await server.close();
});

/** The fleet's totals and every fault the request could name, followed or not. */
function fleetState(request: props.RawRequest): () => unknown {
  const named = new Set(FAULT_IDS);
  const body: unknown = parsedBody(request);
  const id = (body as { id?: unknown } | undefined)?.id;
  if (typeof id === "string") named.add(id);
  return () => ({
    summary: fleet.summary(),
    faults: [...named].map((fault) => fleet.faultRecovery(fault) ?? null),
  });
}

function parsedBody(request: props.RawRequest): unknown {
  try {
    return JSON.parse(request.body ?? "");
  } catch {
    return undefined;
  }
}

describe("the fleet's HTTP API, under random requests", () => {
  it("answers any request below 500, a 4xx saying what is wrong and changing nothing", async () => {
    const requests = props.anyRequest(
      fc
        .tuple(props.pathsOf(ROUTES, { id: fc.oneof(clientId, faultId) }), props.queryOf())
        .map(([path, query]) => path + query),
      props.bodyText(fc.oneof(props.bodyLike({ id: faultId, t0 }), props.anyJson)),
    );
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const state = fleetState(request);
        const { answer } = await props.checkRequest(server.url, request, state);
        if (request.method === "POST" && request.path === "/api/faults" && answer.status === 400) {
          expect(answer.text).toMatch(/\bid\b|t0|body|Content-Encoding|expected a JSON object/);
        }
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("follows a fault it accepts at exactly its t0, and refuses a known id with another t0", async () => {
    const bodies = props.bodyLike({ id: faultId, t0 });
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const request = {
          method: "POST",
          path: "/api/faults",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        };
        const before = typeof body.id === "string" ? fleet.faultRecovery(body.id) : undefined;
        const { answer } = await props.checkRequest(server.url, request, fleetState(request));
        if (answer.status >= 400) {
          if (answer.status === 409) expect(before?.t0).not.toBe(body.t0);
          return;
        }
        expect(answer.status).toBe(before === undefined ? 201 : 200);
        expect(fleet.faultRecovery(body.id as string)?.t0).toBe(body.t0);
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("answers a body over 16 KiB with a 413, following no fault", async () => {
    const request = { method: "POST", path: "/api/faults", headers: {} };
    await props.expectBodyTooLarge(server.url, "POST", "/api/faults", fleetState(request));
  });
});
