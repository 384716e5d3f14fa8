// For the services' property tests (issue 18), control's included: what a careless or hostile
// client may send to any Blackout HTTP endpoint (fast-check arbitraries), a client that sends
// exactly that, and the rule every answer obeys.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import fc from "fast-check";
import { expect } from "vitest";

/** How many random requests each property sends: enough to hit every kind of input above. */
export const PROPERTY_RUNS = 150;

/** The routes lib/serviceLifecycle.ts adds to every service but the supervisor. */
export const OPERATIONAL_ROUTES = ["/healthz", "/readyz", "/metrics"];

export interface RawRequest {
  readonly method: string;
  /** The request target exactly as sent: path and query, already percent-encoded where needed. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body; empty for an event stream, which is hung up on once its headers are in. */
  readonly text: string;
}

/**
 * Sends `request` over node:http on a connection of its own (fetch would refuse or rewrite some
 * methods, headers and bodies), and answers the status, headers and body.
 */
export function sendRaw(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        // node:http frames a GET's body with nothing unless told its length.
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
        agent: false,
        signal: AbortSignal.timeout(10_000),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (String(res.headers["content-type"]).startsWith("text/event-stream")) {
          res.destroy();
          resolve({ status, headers: res.headers, text: "" });
          return;
        }
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.once("end", () => resolve({ status, headers: res.headers, text }));
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.end(request.body);
  });
}

/**
 * The rule for every answer to any request: never a 5xx, and a 4xx is JSON whose `error` is a
 * non-empty message saying what is wrong (an answer to HEAD has no body to check). Answers the
 * parsed JSON body, if there is one.
 */
export function expectNoServerError(request: RawRequest, answer: RawAnswer): unknown {
  const seen = `${request.method} ${request.path} answered ${answer.status} ${answer.text}`;
  expect(answer.status, seen).toBeLessThan(500);
  const json = String(answer.headers["content-type"]).startsWith("application/json");
  const body: unknown = json && answer.text !== "" ? JSON.parse(answer.text) : undefined;
  if (answer.status >= 400 && request.method !== "HEAD") {
    expect(json, seen).toBe(true);
    const error = (body as { error?: unknown } | undefined)?.error;
    expect(typeof error === "string" && error.trim() !== "", seen).toBe(true);
  }
  return body;
}

/**
 * Sends `request` and checks the rule, and that a refused request (4xx) left `state()` as it
 * was: bad input changes nothing. Answers the answer and its JSON body.
 */
export async function checkRequest(
  baseUrl: string,
  request: RawRequest,
  state: () => unknown = () => undefined,
): Promise<{ answer: RawAnswer; body: unknown }> {
  const before = structuredClone(state());
  const answer = await sendRaw(baseUrl, request);
  const body = expectNoServerError(request, answer);
  if (answer.status >= 400) {
    expect(state(), `state after ${request.method} ${request.path} (${answer.status})`).toEqual(
      before,
    );
  }
  return { answer, body };
}

/**
 * Strings a client may send anywhere: any code units (lone surrogates too), names special to
 * JavaScript objects, numbers spelled oddly, escapes, paths and long ones.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  fc.constantFrom(
    "",
    " ",
    "%",
    "%zz",
    "%E0%A4%A",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "null",
    "undefined",
    "NaN",
    "Infinity",
    "-1",
    "-0",
    "1e400",
    "0x1f",
    "1.5",
    "9007199254740993",
    "true",
    "[]",
    "{}",
    "../../etc/passwd",
    "\u0000",
    "\u2028",
    "\uD800",
    "💥",
  ),
  fc.integer({ min: 1000, max: 3000 }).map((length) => "a".repeat(length)),
);

/** `[[[…]]]` or `{"a":{"a":…}}`, `depth` levels deep, as JSON text. */
export function deepJsonText(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Any JSON value: every type, odd numbers, and now and then a deep or long one. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 5e-324, "", true, false, null, [], {}),
  hostileString,
  fc
    .tuple(fc.integer({ min: 20, max: 300 }), fc.constantFrom("array" as const, "object" as const))
    .map(([depth, kind]) => JSON.parse(deepJsonText(depth, kind)) as unknown),
);

/**
 * JSON objects shaped like what an endpoint expects: each field a valid value or one of any
 * type, or missing, beside unknown fields (names special to JavaScript objects among them).
 */
export function bodyLike(
  fields: Readonly<Record<string, fc.Arbitrary<unknown>>>,
): fc.Arbitrary<Record<string, unknown>> {
  const missing = Symbol("missing");
  const known = fc
    .tuple(
      ...Object.entries(fields).map(([name, valid]) =>
        fc
          .oneof({ weight: 4, arbitrary: valid }, anyJson, fc.constant(missing))
          .map((value) => [name, value] as const),
      ),
    )
    .map((entries) => Object.fromEntries(entries.filter(([, value]) => value !== missing)));
  const unknownName = fc.oneof(
    { weight: 3, arbitrary: hostileString },
    fc.constantFrom("__proto__", "constructor", "extra"),
  );
  const unknown = fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    fc.dictionary(unknownName, anyJson, { maxKeys: 3 }),
  );
  return fc.tuple(unknown, known).map(([extra, shaped]) => ({ ...extra, ...shaped }));
}

/** Texts that are not JSON: cut short, trailing commas, comments, single quotes, bare words. */
export const notJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "{",
    "}",
    "[",
    "[1,2",
    "{mode: hard}",
    "{a: 1}",
    "{'a': 1}",
    '{"a":}',
    '{"a": 1,}',
    '{"a": 1} // comment',
    "NaN",
    "Infinity",
    "undefined",
    '"unterminated',
    '{"a": "\\u12"}',
    "\u0000",
    "\uFEFF{}",
    "{}{}",
    "nul",
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.json().map((text) => text.slice(0, -1)),
);

/** A JSON text over the services' 16 KiB body limit. */
export const oversizedJsonText: fc.Arbitrary<string> = fc
  .integer({ min: 16 * 1024 + 1, max: 64 * 1024 })
  .map((length) => JSON.stringify({ padding: "x".repeat(length) }));

/** What a request's body may be: JSON of `values` mostly, else not JSON, oversized or deep. */
export function bodyText(values: fc.Arbitrary<unknown> = anyJson): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: values.map((value) => JSON.stringify(value) ?? "null") },
    { weight: 2, arbitrary: notJsonText },
    oversizedJsonText,
    fc.integer({ min: 1000, max: 8000 }).map((depth) => deepJsonText(depth, "array")),
  );
}

export const anyMethod: fc.Arbitrary<string> = fc.constantFrom(
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
);

/** Headers that node:http or the server treat as framing, not as something the app reads. */
const FRAMING_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "expect",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
  "http2-settings",
  "content-type",
]);

const headerValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,60}$/) },
  fc.integer({ min: 500, max: 2000 }).map((length) => "v".repeat(length)),
);

const contentType: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant("application/json") },
  fc.constantFrom(
    "application/json; charset=utf-8",
    "application/json; charset=latin1",
    "application/json; charset=nonsense",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/vnd.api+json",
    "json",
    "",
  ),
);

const oddHeaders: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.dictionary(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((name) => !FRAMING_HEADERS.has(name)),
      headerValue,
      { maxKeys: 3 },
    ),
    fc.record(
      {
        accept: fc.constantFrom("application/json", "text/html", "*/*", "text/event-stream", ""),
        "accept-encoding": fc.constantFrom("gzip", "br", "identity", "x-unknown", ""),
        "content-encoding": fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown"),
        "if-none-match": fc.oneof(headerValue, fc.constant("*")),
        "if-modified-since": fc.constantFrom("Thu, 01 Jan 1970 00:00:00 GMT", "yesterday"),
        "last-event-id": fc.oneof(headerValue, fc.nat().map(String)),
        authorization: headerValue,
        cookie: headerValue,
        origin: fc.constantFrom("http://evil.test", "null", ""),
        "x-forwarded-for": headerValue,
        range: fc.constantFrom("bytes=0-1", "bytes=x", "pages=1"),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([random, meaningful]) => ({ ...random, ...meaningful }));

/**
 * Request headers besides the framing ones: a content type (JSON mostly, sometimes another or a
 * malformed one), and now and then random names and values and the headers that mean something
 * to a Blackout service or its libraries, with odd values.
 */
export const anyHeaders: fc.Arbitrary<Record<string, string>> = fc
  .tuple(contentType, fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, oddHeaders))
  .map(([type, others]) => ({ ...others, "content-type": type }));

/** `text` percent-encoded as UTF-8 (a lone surrogate becomes U+FFFD, as a browser sends it). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase()}`;
    })
    .join("");
}

/** Escapes that do not decode, and segments special to paths, sent as they are. */
const rawSegment = fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", ".", "..", "%2e%2e", "%2F", "");

/** A path segment: any string percent-encoded, or a raw one that does not decode. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(percentEncode) },
  rawSegment,
);

/**
 * Paths to the given routes (`/api/clients/:id`: each `:param` a pathSegment, or a valid value
 * from `params`), beside random paths and odd request targets (absolute-form, doubled slashes).
 */
export function pathsOf(
  routes: readonly string[],
  params: Readonly<Record<string, fc.Arbitrary<string>>> = {},
): fc.Arbitrary<string> {
  const segment = (name: string): fc.Arbitrary<string> => {
    const valid = params[name];
    return valid === undefined ? pathSegment : fc.oneof(valid.map(percentEncode), pathSegment);
  };
  const route = fc.constantFrom(...routes).chain((template) => {
    const parts = template.split("/");
    return fc
      .tuple(
        ...parts.map((part) => (part.startsWith(":") ? segment(part.slice(1)) : fc.constant(part))),
      )
      .map((filled) => filled.join("/"));
  });
  return fc.oneof(
    { weight: 6, arbitrary: route },
    fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
    route.map((path) => `${path}/`),
    route.map((path) => `http://elsewhere.test${path}`),
    route.map((path) => path.replace("/", "//")),
    fc.constant("/"),
  );
}

/**
 * A query string (with its `?`, or empty): each named parameter absent, once (a valid value from
 * its arbitrary, or any string) or twice, and unknown and malformed ones.
 */
export function queryOf(
  params: Readonly<Record<string, fc.Arbitrary<string>>> = {},
): fc.Arbitrary<string> {
  const named = Object.entries(params).map(([name, valid]) => {
    const value = fc.oneof({ weight: 3, arbitrary: valid }, hostileString);
    return fc
      .oneof(
        { weight: 3, arbitrary: value.map((once) => [once]) },
        fc.constant([]),
        fc.tuple(value, value),
      )
      .map((values) => values.map((one) => `${name}=${percentEncode(one)}`));
  });
  const unknown = fc
    .array(fc.tuple(hostileString, hostileString), { maxLength: 2 })
    .map((pairs) => pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`));
  const raw = fc.array(fc.constantFrom("%zz=%E0", "&", "=", "a", "a=1=2", "%"), { maxLength: 2 });
  return fc.tuple(fc.tuple(...named), unknown, raw).map(([known, extra, malformed]) => {
    const all = [...known.flat(), ...extra, ...malformed];
    return all.length === 0 ? "" : `?${all.join("&")}`;
  });
}

/**
 * Node answers a request line and headers over 16 KiB together with a bare 431 before any app
 * sees them (docs/services.md): the properties stay below, where the app answers.
 */
const MAX_HEAD_BYTES = 15 * 1024;

function headBytes(request: RawRequest): number {
  return (
    request.path.length +
    Object.entries(request.headers).reduce(
      (sum, [name, value]) => sum + name.length + value.length + 4,
      0,
    )
  );
}

/** Requests of any method to `paths`, with any headers and, mostly, one of `bodies`. */
export function anyRequest(
  paths: fc.Arbitrary<string>,
  bodies: fc.Arbitrary<string> = bodyText(),
): fc.Arbitrary<RawRequest> {
  return fc
    .record(
      { method: anyMethod, path: paths, headers: anyHeaders, body: bodies },
      { requiredKeys: ["method", "path", "headers"] },
    )
    .filter((request) => headBytes(request) <= MAX_HEAD_BYTES);
}

/** A JSON body just over the 16 KiB limit to `method path` is a 413 saying so, and changes nothing. */
export async function expectBodyTooLarge(
  baseUrl: string,
  method: string,
  path: string,
  state: () => unknown = () => undefined,
): Promise<void> {
  const request: RawRequest = {
    method,
    path,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ padding: "x".repeat(16 * 1024) }),
  };
  const { answer, body } = await checkRequest(baseUrl, request, state);
  expect({ status: answer.status, body }).toEqual({
    status: 413,
    body: { error: "request body too large" },
  });
}
