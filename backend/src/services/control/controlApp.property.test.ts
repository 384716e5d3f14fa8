import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Router from "@koa/router";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { libraryScenarios, scenarioTextArb } from "../../chaos/scenarios/scenarioText.fixture.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";
import { payloadArb, payloadText, type Payload } from "../../lib/fuzzPayload.fixture.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createFuzzedControl, type FuzzedControl } from "./fuzzedControl.fixture.ts";
import type { InMemoryControl } from "./inMemoryControl.fixture.ts";

/**
 * Issue 18's property for control's HTTP API: whatever a client sends (bodies, query strings,
 * path params, headers), control answers a 4xx whose `error` says what is wrong, or a correct
 * answer; never a 5xx, and a refused call changes nothing.
 */

const TOKEN = "operator-token-0123456789";
const RIGHT = `Bearer ${TOKEN}`;
/** controlApp's jsonLimit (1mb). */
const JSON_LIMIT = 1024 * 1024;
/** Nesting that still fits in the body limit. */
const MAX_DEPTH = 200_000;
const REPORT_FILES = ["report.json", "report.md", "junit.xml"];

let dashboardDir: string;
let fuzzed: FuzzedControl;
let control: InMemoryControl;

beforeAll(async () => {
  dashboardDir = await mkdtemp(join(tmpdir(), "blackout-dashboard-"));
  await mkdir(join(dashboardDir, "assets"));
  await writeFile(join(dashboardDir, "index.html"), "<html>dashboard</html>");
  await writeFile(join(dashboardDir, "assets", "app-abc123.js"), "console.log(1)");
});

afterAll(async () => {
  await rm(dashboardDir, { recursive: true, force: true });
});

/**
 * A fresh control for each group of properties: what valid calls keep (a megabyte-long extra
 * field in a summary, say) would otherwise slow every later call and snapshot down.
 */
function withFreshControl(): void {
  beforeAll(async () => {
    fuzzed = await createFuzzedControl({ token: TOKEN, dashboardDir });
    control = fuzzed.control;
    // Something for path params to name: a fault and an ended run.
    await send({
      method: "POST",
      path: "/api/faults",
      headers: { authorization: RIGHT, "content-type": "application/json" },
      body: JSON.stringify({ action: "kill", target: "consumer-1" }),
    });
    await send({
      method: "POST",
      path: "/api/runs",
      headers: { authorization: RIGHT, "content-type": "application/json" },
      body: JSON.stringify({ scenario: libraryScenarios[0]?.text }),
    });
    await settle();
  });
  afterAll(async () => {
    await control.close();
  });
}

interface Request {
  readonly method: string;
  /** Path and query, encoded as they go on the wire. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

async function send(request: Request): Promise<Answer> {
  const response = await fetch(`${control.server.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    text: await response.text(),
  };
}

/** A run a valid call started changes state every second: end it before the next call. */
async function settle(): Promise<void> {
  if (control.runner.abortAll("property test").length === 0) return;
  await waitFor(() => control.runner.list().every((run) => run.status !== "running"), {
    what: "the started runs to end",
    timeoutMs: 5000,
    intervalMs: 5,
  });
}

/** The `error` of a 4xx answer. */
function errorOf(answer: Answer): string {
  return (JSON.parse(answer.text) as { error: string }).error;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Sends `request` and checks what holds for any request: no 5xx; a 4xx answers JSON with a
 * non-empty `error`; a refused call (anything but a 2xx) and any read change nothing.
 */
async function exchange(request: Request): Promise<Answer> {
  const before = fuzzed.snapshot();
  const answer = await send(request);
  const what = `${request.method} ${request.path} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status >= 400 && request.method !== "HEAD") {
    expect(answer.type, what).toMatch(/^application\/json/);
    expect(errorOf(answer), what).toMatch(/\S/);
  }
  if (answer.status >= 300 || READS.has(request.method)) {
    expect(fuzzed.snapshot(), `state changed by ${what}`).toEqual(before);
  }
  await settle();
  return answer;
}

const isString = (v: unknown): boolean => typeof v === "string";
const isNumber = (v: unknown): boolean => typeof v === "number";
const isNullableNumber = (v: unknown): boolean => v === null || typeof v === "number";
const isBoolean = (v: unknown): boolean => typeof v === "boolean";
const isArray = (v: unknown): boolean => Array.isArray(v);
const isMapping = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

/** One JSON body a route takes, as its schema in contract/ describes it. */
interface BodyShape {
  readonly name: string;
  /** Bodies the schema accepts (control may still refuse them: no such target, a guard). */
  readonly valid: fc.Arbitrary<Record<string, unknown>>;
  /** Each field and the JSON values of the right type for it. */
  readonly fields: Readonly<Record<string, (value: unknown) => boolean>>;
  readonly required: readonly string[];
  /** Unknown fields are refused (a strict object) rather than kept or dropped. */
  readonly strict: boolean;
  /** The body around the object: the object itself, or one event of a batch. */
  readonly wrap?: (object: string) => string;
}

interface RouteCase {
  readonly method: string;
  /** The path as the router has it. */
  readonly pattern: string;
  /** Values of the path's params that name something that exists. */
  readonly known?: (param: string) => readonly string[];
  /** The query parameters the route reads. */
  readonly query?: readonly string[];
  /** Needs the operator token. */
  readonly operator?: boolean;
  readonly bodies?: readonly BodyShape[];
}

const selectorArb = fc.oneof(
  fc.constantFrom(
    "consumer-0",
    "consumer-1",
    "kafka-1",
    "producer-0",
    "consumer-9",
    "random:consumer",
    "random:broker",
    "random:producer",
    "random:gateway",
    "leader-of:0",
    "leader-of:x",
    "most-leaders",
    "controller",
  ),
  fc.string({ maxLength: 120 }),
);

const faultShape: BodyShape = {
  name: "fault request",
  valid: fc.oneof(
    fc.record(
      {
        action: fc.constant("kill"),
        target: selectorArb,
        mode: fc.constantFrom("graceful", "hard"),
        dryRun: fc.boolean(),
        force: fc.boolean(),
      },
      { requiredKeys: ["action", "target"] },
    ),
    fc.record(
      {
        action: fc.constant("freeze"),
        target: selectorArb,
        seconds: fc.integer({ min: 1, max: 600 }),
        dryRun: fc.boolean(),
        force: fc.boolean(),
      },
      { requiredKeys: ["action", "target", "seconds"] },
    ),
  ),
  fields: {
    action: isString,
    target: isString,
    mode: isString,
    seconds: isNumber,
    dryRun: isBoolean,
    force: isBoolean,
  },
  required: ["action", "target"],
  strict: true,
};

const runShape: BodyShape = {
  name: "run request",
  valid: fc.record(
    {
      scenario: scenarioTextArb.filter((text) => text.length > 0),
      fileName: fc.stringMatching(/^[\w./-]{1,30}$/),
      actor: fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    },
    { requiredKeys: ["scenario"] },
  ),
  fields: { scenario: isString, fileName: isString, actor: isString },
  required: ["scenario"],
  strict: true,
};

const count = fc.integer({ min: 0, max: 1_000_000 });
const summaryShape: BodyShape = {
  name: "client summary",
  valid: fc
    .record({
      at: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      clients: count,
      missing: count,
      staleReads: count,
      clientsByConsumer: fc.dictionary(fc.string({ maxLength: 20 }), count, { maxKeys: 3 }),
      latencyP99Ms: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true })),
      source: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
    })
    .map(({ source, ...fields }) => ({ ...clientSummary(fields), source })),
  fields: {
    at: isNumber,
    clients: isNumber,
    polls: isNumber,
    failedPolls: isNumber,
    freshRecords: isNumber,
    missing: isNumber,
    duplicates: isNumber,
    staleReads: isNumber,
    reordered: isNumber,
    fellBehind: isNumber,
    stalls: isNumber,
    longestStallMs: isNumber,
    stalledClients: isNumber,
    clientsByConsumer: isMapping,
    latencyP50Ms: isNullableNumber,
    latencyP99Ms: isNullableNumber,
    source: isString,
  },
  required: ["at", "clients", "polls", "missing", "clientsByConsumer", "latencyP50Ms"],
  strict: false,
};

const eventArb = fc.record({
  type: fc.constantFrom("gap", "duplicate", "stale", "stall"),
  at: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  client: fc.stringMatching(/^client-\d{1,4}$/),
  producer: fc.constantFrom("producer-0", "producer-1"),
});

const eventsShape: BodyShape = {
  name: "event batch",
  valid: fc.record({ events: fc.array(eventArb, { maxLength: 5 }) }),
  fields: { events: isArray },
  required: ["events"],
  strict: false,
};

/** One event of a batch, its fields mutated. */
const eventShape: BodyShape = {
  name: "event",
  valid: eventArb,
  fields: { type: isString, at: isNumber, client: isString },
  required: ["type", "at", "client"],
  strict: false,
  wrap: (event) => `{"events":[{"type":"gap","at":1,"client":"client-1"},${event}]}`,
};

const knownIds = (param: string): readonly string[] =>
  param === "file" ? REPORT_FILES : control.runner.list().map((run) => run.id);

/** Every route of controlApp.ts and serviceLifecycle.ts's operational routes. */
const ROUTES: readonly RouteCase[] = [
  { method: "GET", pattern: "/healthz" },
  { method: "GET", pattern: "/readyz" },
  { method: "GET", pattern: "/metrics" },
  { method: "GET", pattern: "/api/session" },
  { method: "GET", pattern: "/api/targets" },
  { method: "GET", pattern: "/api/topology" },
  { method: "POST", pattern: "/api/faults", operator: true, bodies: [faultShape] },
  { method: "GET", pattern: "/api/faults" },
  {
    method: "GET",
    pattern: "/api/faults/:id",
    known: () => control.tracker.list().map((fault) => fault.id),
  },
  { method: "POST", pattern: "/api/stop", operator: true },
  { method: "POST", pattern: "/api/runs", operator: true, bodies: [runShape] },
  { method: "GET", pattern: "/api/runs/:id/reports/:file", known: knownIds },
  { method: "GET", pattern: "/api/scenarios" },
  { method: "GET", pattern: "/api/runs" },
  { method: "GET", pattern: "/api/runs/:id", known: knownIds },
  { method: "POST", pattern: "/api/runs/:id/abort", operator: true, known: knownIds },
  { method: "OPTIONS", pattern: "/api/fleet/summary" },
  { method: "POST", pattern: "/api/fleet/summary", bodies: [summaryShape] },
  { method: "POST", pattern: "/api/fleet/events", bodies: [eventsShape, eventShape] },
  { method: "GET", pattern: "/api/fleet", query: ["since"] },
  { method: "GET", pattern: "/api/kafka/series", query: ["since"] },
  { method: "GET", pattern: "/api/anomalies", query: ["limit"] },
];

type Mutation =
  | { readonly kind: "none" }
  | { readonly kind: "wrongType"; readonly field: string; readonly value: unknown }
  | { readonly kind: "missing"; readonly field: string }
  | { readonly kind: "unknown"; readonly field: string; readonly value: unknown }
  | { readonly kind: "anyValue"; readonly field: string; readonly value: Payload }
  /** An unknown field of any value: deep, huge, malformed. */
  | { readonly kind: "extra"; readonly field: string; readonly value: Payload };

function mutationArb(shape: BodyShape): fc.Arbitrary<Mutation> {
  const field = fc.constantFrom(...Object.keys(shape.fields));
  const accepts = (name: string) => shape.fields[name] ?? (() => false);
  const unknownField = fc
    .oneof(fc.string({ maxLength: 20 }), fc.constantFrom("__proto__", "constructor", "toString"))
    .filter((name) => !Object.hasOwn(shape.fields, name));
  return fc.oneof(
    fc.constant({ kind: "none" as const }),
    field.chain((name) =>
      fc
        .jsonValue({ maxDepth: 2 })
        // A "__proto__" key anywhere refuses the body as a whole, naming that key instead.
        .filter((value) => !accepts(name)(value) && !JSON.stringify(value).includes('"__proto__"'))
        .map((value) => ({ kind: "wrongType" as const, field: name, value })),
    ),
    field.map((name) => ({ kind: "missing" as const, field: name })),
    fc.record({
      kind: fc.constant("unknown" as const),
      field: unknownField,
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
    fc.record({
      kind: fc.constant("anyValue" as const),
      field,
      value: payloadArb({ maxDepth: MAX_DEPTH, hugeBytes: JSON_LIMIT }),
    }),
    fc.record({
      kind: fc.constant("extra" as const),
      field: unknownField,
      value: payloadArb({ maxDepth: MAX_DEPTH, hugeBytes: JSON_LIMIT }),
    }),
  );
}

/** The body's text: the valid object with the mutation applied (as text, so any key can be set). */
function bodyText(shape: BodyShape, valid: Record<string, unknown>, mutation: Mutation): string {
  const object = { ...valid };
  let set: string | undefined;
  if (mutation.kind !== "none") {
    delete object[mutation.field];
    if (mutation.kind === "wrongType" || mutation.kind === "unknown") {
      set = JSON.stringify(mutation.value);
    } else if (mutation.kind === "anyValue" || mutation.kind === "extra") {
      set = payloadText(mutation.value);
    }
  }
  let text = JSON.stringify(object);
  if (set !== undefined && mutation.kind !== "none") {
    const comma = text === "{}" ? "" : ",";
    text = `${text.slice(0, -1)}${comma}${JSON.stringify(mutation.field)}:${set}}`;
  }
  return shape.wrap?.(text) ?? text;
}

/** The field a 400 must name, when the mutation leaves the body invalid whatever else it holds. */
function fieldToName(shape: BodyShape, mutation: Mutation): string | undefined {
  switch (mutation.kind) {
    case "wrongType":
      return mutation.field;
    case "missing":
      return shape.required.includes(mutation.field) ? mutation.field : undefined;
    case "unknown":
      return shape.strict ? mutation.field : undefined;
    default:
      return undefined;
  }
}

const asciiArb = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});

/** Authorization headers that are not the operator's token. */
const wrongAuthArb = fc
  .oneof(
    fc.constantFrom(
      "",
      "Bearer",
      "Bearer ",
      `bearer ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Basic ${Buffer.from(`operator:${TOKEN}`).toString("base64")}`,
      TOKEN,
      `Token ${TOKEN}`,
      `Bearer ${TOKEN}, Bearer ${TOKEN}`,
    ),
    asciiArb.map((s) => `Bearer ${s}`),
    asciiArb,
  )
  // HTTP strips a field value's surrounding whitespace: " Bearer <token> " is the token.
  .filter((value) => value.trim() !== RIGHT);

const headersArb: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.record(
      {
        "content-type": fc.oneof(
          fc.constantFrom(
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=latin1",
            "application/json; charset=nope",
            "application/vnd.api+json",
            "application/merge-patch+json",
            "text/plain",
            "text/html",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "*/*",
            "",
          ),
          asciiArb,
        ),
        authorization: fc.oneof({ arbitrary: fc.constant(RIGHT), weight: 3 }, wrongAuthArb),
        "content-encoding": fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown"),
        accept: fc.oneof(fc.constantFrom("application/json", "text/html", "*/*", ""), asciiArb),
        origin: fc.constantFrom("http://127.0.0.1:8080", "null", "https://evil.example"),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), asciiArb, { maxKeys: 3 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

/** A path param: naming something that exists, any text encoded, or raw (broken escapes too). */
type Param = { readonly known: number } | { readonly encoded: string } | { readonly raw: string };

const paramArb: fc.Arbitrary<Param> = fc.oneof(
  fc.nat().map((known) => ({ known })),
  fc.string({ maxLength: 200 }).map((encoded) => ({ encoded })),
  fc
    .oneof(
      fc.constantFrom(
        "%",
        "%ZZ",
        "%E0%A4%A",
        "%C0%AF",
        "%00",
        "..",
        "%2e%2e",
        "%2F",
        "a%2Fb",
        "%FF",
      ),
      fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,40}$/),
    )
    .map((raw) => ({ raw })),
);

function paramText(param: Param, known: readonly string[]): string {
  if ("known" in param) return encodeURIComponent(known[param.known % known.length] ?? "none");
  if ("encoded" in param) return encodeURIComponent(param.encoded);
  return param.raw;
}

function pathOf(route: RouteCase, params: readonly Param[]): string {
  let index = 0;
  return route.pattern.replace(/:(\w+)/g, (_, name: string) => {
    const param = params[index] ?? { raw: "" };
    index += 1;
    return paramText(param, route.known?.(name) ?? []);
  });
}

/** A query string's pairs: the route's own parameters (repeated, empty, any value) and others. */
function queryArb(names: readonly string[]): fc.Arbitrary<[string, string][]> {
  const value = fc.oneof(
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom("", " 5 ", "1e3", "0x10", "1_000", "Infinity", "-Infinity", "NaN", "1e400"),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom("%", "%ZZ", "%E0%A4%A", "%00", "a&b", "=", "[]"),
  );
  const name = fc.oneof(
    fc.constantFrom("x", ...names, ...names.map((n) => `${n}[]`), ...names.map((n) => `${n}[a]`)),
    fc.string({ maxLength: 10 }).map(encodeURIComponent),
  );
  return fc.array(fc.tuple(name, value), { maxLength: 4 });
}

function queryText(pairs: readonly (readonly [string, string])[]): string {
  return pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`;
}

describe("control's HTTP API under random input", () => {
  withFreshControl();

  it("covers every route the router has", () => {
    const dispatch = control.app.middleware.find((m) => "router" in m) as
      { router: Router } | undefined;
    const routes = (dispatch?.router.stack ?? []).flatMap((layer) =>
      layer.methods
        .filter((method) => method !== "HEAD")
        .map((method) => `${method} ${layer.path}`),
    );
    expect(routes.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  it("answers any method on any path (the dashboard's files, unknown routes)", async () => {
    const pathArb = fc.oneof(
      fc.webPath(),
      fc
        .tuple(
          fc.constantFrom("", "/api", "/api/faults", "/api/runs", "/assets", "/api/fleet"),
          fc.array(
            fc.oneof(
              fc.string({ maxLength: 20 }).map(encodeURIComponent),
              fc.constantFrom("..", "%2e%2e", "%2F", "%00", "%ZZ", "index.html", "app-abc123.js"),
            ),
            { maxLength: 4 },
          ),
        )
        .map(([prefix, segments]) => `${prefix}/${segments.join("/")}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        pathArb,
        headersArb,
        fc.option(payloadArb({ maxDepth: 1000, hugeBytes: 1024 })),
        async (method, path, headers, payload) => {
          await exchange({
            method,
            path,
            headers,
            body:
              method === "GET" || method === "HEAD" || payload === null
                ? undefined
                : payloadText(payload),
          });
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});

for (const route of ROUTES) {
  const name = `${route.method} ${route.pattern}`;

  describe(`${name} under random input`, () => {
    withFreshControl();

    for (const shape of route.bodies ?? []) {
      it(`${name}: a ${shape.name} with a field wrong, missing, unknown or of any value`, async () => {
        await fc.assert(
          fc.asyncProperty(shape.valid, mutationArb(shape), async (valid, mutation) => {
            const answer = await exchange({
              method: route.method,
              path: route.pattern,
              headers: { authorization: RIGHT, "content-type": "application/json" },
              body: bodyText(shape, valid, mutation),
            });
            const field = fieldToName(shape, mutation);
            if (field !== undefined) {
              expect(answer.status, answer.text).toBe(400);
              const error = errorOf(answer);
              expect(
                [field, JSON.stringify(field)].some((f) => error.includes(f)),
                error,
              ).toBe(true);
            }
          }),
          { numRuns: 100 },
        );
      }, 120_000);
    }

    it(`${name}: any params, query, headers and body`, async () => {
      const params = route.pattern.match(/:\w+/g)?.length ?? 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(paramArb, { minLength: params, maxLength: params }),
          queryArb(route.query ?? []),
          headersArb,
          fc.option(payloadArb({ maxDepth: MAX_DEPTH, hugeBytes: JSON_LIMIT })),
          async (paramValues, query, headers, payload) => {
            const answer = await exchange({
              method: route.method,
              path: `${pathOf(route, paramValues)}${queryText(query)}`,
              headers,
              body: route.method === "GET" || payload === null ? undefined : payloadText(payload),
            });
            const refused = answer.status >= 400 ? errorOf(answer) : "";
            if (answer.status === 400 && route.query !== undefined) {
              expect(
                route.query.some((q) => refused.startsWith(q)),
                refused,
              ).toBe(true);
            }
            if (answer.status === 401) expect(refused).toMatch(/operator token/);
          },
        ),
        { numRuns: 50 },
      );
    }, 120_000);

    if (route.query !== undefined) {
      it(`${name}: a query parameter that is a number is taken or refused by name`, async () => {
        const [param = ""] = route.query ?? [];
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.integer(), fc.double()), async (value) => {
            const answer = await exchange({
              method: "GET",
              path: `${route.pattern}?${param}=${encodeURIComponent(String(value))}`,
              headers: {},
            });
            // since: any time at all; limit: a whole number from 1 to 5000.
            const fine =
              param === "since"
                ? Number.isFinite(value)
                : Number.isInteger(value) && value >= 1 && value <= 5000;
            expect(answer.status, answer.text).toBe(fine ? 200 : 400);
            if (!fine) expect(errorOf(answer)).toMatch(new RegExp(`^${param} `));
          }),
          { numRuns: 100 },
        );
      }, 60_000);
    }

    if (route.known !== undefined && route.method === "GET") {
      it(`${name}: answers what exists`, async () => {
        const params = route.pattern.match(/:\w+/g)?.length ?? 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.nat(), { minLength: params, maxLength: params }),
            async (indexes) => {
              const answer = await exchange({
                method: "GET",
                path: pathOf(
                  route,
                  indexes.map((known) => ({ known })),
                ),
                headers: {},
              });
              expect(answer.status, answer.text).toBe(200);
            },
          ),
          { numRuns: 20 },
        );
      });
    }

    if (route.operator === true) {
      it(`${name}: refuses without the operator token, whatever the body`, async () => {
        const body = fc.oneof(
          fc.constant(undefined),
          ...(route.bodies ?? []).map((shape) =>
            shape.valid.map((valid) => bodyText(shape, valid, { kind: "none" })),
          ),
        );
        await fc.assert(
          fc.asyncProperty(
            fc.option(wrongAuthArb),
            body,
            fc.nat(),
            async (authorization, text, known) => {
              const answer = await exchange({
                method: route.method,
                path: pathOf(route, [{ known }]),
                headers: {
                  "content-type": "application/json",
                  ...(authorization === null ? {} : { authorization }),
                },
                body: text,
              });
              expect(answer.status, answer.text).toBe(401);
              expect(errorOf(answer)).toMatch(/operator token/);
            },
          ),
          { numRuns: 50 },
        );
      }, 60_000);
    }
  });
}
