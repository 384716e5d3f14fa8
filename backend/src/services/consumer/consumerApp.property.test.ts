import { parse as parseQuery } from "node:querystring";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WAIT_MS } from "../../contract/recordsAnswer.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import * as props from "../../lib/httpProperties.fixture.ts";
import { createLogger } from "../../lib/logger.ts";
import { createConsumerApp } from "./consumerApp.ts";
import { createConsumerMetrics } from "./consumerMetrics.ts";
import { formatCursor, parseCursor } from "./cursor.ts";
import { createPageRoutes } from "./page/pageRoutes.ts";
import { createView, type View } from "./view.ts";

/** Every route a consumer serves: its API, the operational ones and the client page's. */
const ROUTES = [...props.OPERATIONAL_ROUTES, "/api/records", "/", "/app.js"];
const MAX_RECORDS = 5;
/** Long enough to long-poll, short enough for many runs: the view gets no record meanwhile. */
const SHORT_WAIT_MS = 20;

/** Cursors around what the view holds: behind its window, inside, at and past its heads. */
const nearViewCursor = fc
  .uniqueArray(
    fc.tuple(fc.constantFrom("producer-0", "producer-1", "producer-9"), fc.nat({ max: 40 })),
    { minLength: 1, maxLength: 3, selector: ([producer]) => producer },
  )
  .map((pairs) => formatCursor(new Map(pairs)));

const cursorText = fc.oneof(
  { weight: 3, arbitrary: nearViewCursor },
  fc.string({ unit: fc.constantFrom(..."producer-019:,"), maxLength: 30 }),
);

/** `wait`: short valid ones, and any string but a valid one that would hold the answer long. */
const waitText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: SHORT_WAIT_MS }).map(String) },
  fc.integer({ min: MAX_WAIT_MS + 1 }).map(String),
  props.hostileString.filter((text) => !/^\d{1,5}$/.test(text) || Number(text) <= SHORT_WAIT_MS),
);

let server: RunningServer;
let view: View;

beforeAll(async () => {
  // A window of 10: producer-0 holds 21..30 (1..20 left it), producer-1 holds 1..5.
  view = createView({ window: 10 });
  for (let seq = 1; seq <= 30; seq += 1) view.add({ producer: "producer-0", seq, ts: 1000 + seq });
  for (let seq = 1; seq <= 5; seq += 1) view.add({ producer: "producer-1", seq, ts: 2000 + seq });
  const app = createConsumerApp({
    consumerId: "consumer-0",
    view,
    probes: { alive: () => true, ready: () => true },
    metrics: createConsumerMetrics(),
    logger: createLogger({ name: "test", level: "silent" }),
    maxRecordsPerAnswer: MAX_RECORDS,
    extraRoutes: await createPageRoutes({
      pollMs: 500,
      stallMs: 1500,
      consumerId: "consumer-0",
      controlUrl: null,
    }),
  });
  server = await listen(app, "127.0.0.1", 0);
});
afterAll(async () => {
  await server.close();
});

const viewState = () => ({ heads: view.heads(), sizes: view.sizes() });

/** What `GET /api/records` must answer for the cursor parameter the app was sent. */
function expectedRecordsAnswer(cursorParameter: string | undefined): unknown {
  const cursor = parseCursor(cursorParameter ?? "");
  if (cursor === undefined) {
    return { records: [], cursor: formatCursor(new Map(Object.entries(view.heads()))) };
  }
  const { records, truncated, behind } = view.after(cursor, MAX_RECORDS);
  const next = new Map(cursor);
  for (const record of records) next.set(record.producer, record.seq);
  return {
    records,
    truncated,
    cursor: formatCursor(next),
    ...(Object.keys(behind).length === 0 ? {} : { behind }),
  };
}

describe("a consumer's HTTP API and client page, under random requests", () => {
  it("answers any request below 500, a 4xx saying what is wrong, and never touches the view", async () => {
    const requests = props.anyRequest(
      fc
        .tuple(props.pathsOf(ROUTES), props.queryOf({ cursor: cursorText, wait: waitText }))
        .map(([path, query]) => path + query),
    );
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        await props.checkRequest(server.url, request, viewState);
        expect(viewState()).toEqual({
          heads: { "producer-0": 30, "producer-1": 5 },
          sizes: { "producer-0": 10, "producer-1": 5 },
        });
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("answers exactly the records after any cursor it accepts, or a 400 naming the parameter", async () => {
    const queries = props.queryOf({ cursor: cursorText, wait: waitText });
    await fc.assert(
      fc.asyncProperty(queries, async (query) => {
        const request = { method: "GET", path: `/api/records${query}`, headers: {} };
        const { answer, body } = await props.checkRequest(server.url, request);
        const { cursor, wait } = parseQuery(query.slice(1));
        if (answer.status === 400) {
          expect((body as { error: string }).error).toMatch(/^(cursor|wait)/);
          return;
        }
        expect(answer.status).toBe(200);
        expect(Array.isArray(cursor) || Array.isArray(wait)).toBe(false);
        expect(body).toMatchObject(expectedRecordsAnswer(cursor as string | undefined) as object);
      }),
      { numRuns: props.PROPERTY_RUNS },
    );
  });

  it("answers a body over 16 KiB with a 413", async () => {
    await props.expectBodyTooLarge(server.url, "POST", "/api/records", viewState);
  });
});
