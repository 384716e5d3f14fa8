import type { Document } from "yaml";
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from "yaml";
import { z } from "zod";
import { InvalidInputError } from "../../lib/errors.ts";
import { parseDuration } from "../../lib/parseDuration.ts";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import { parseSelector } from "../../contract/selector.ts";
import type { TargetKind } from "../../contract/targets.ts";
import { KILL_MODES, TARGET_KINDS } from "../../contract/targets.ts";
import { FAILOVER_SETTINGS } from "./scenario.ts";
import type { AbortRule, Scenario, ScenarioStep } from "./scenario.ts";
import type { CountSlo, SloName } from "../../contract/scorecard.ts";

/** One thing wrong with a scenario file, where it is (line from 1; null when unknown). */
export interface ScenarioIssue {
  readonly line: number | null;
  /** The field, as `steps[2].kill.mode`; empty for the file as a whole (a YAML syntax error). */
  readonly path: string;
  readonly message: string;
}

/** Everything wrong with a scenario file at once, one `<file>:<line>: <path>: <message>` a line. */
export class ScenarioError extends InvalidInputError {
  override readonly name = "ScenarioError";
  readonly issues: readonly ScenarioIssue[];

  constructor(fileName: string, issues: readonly ScenarioIssue[]) {
    super(issues.map((issue) => formatIssue(fileName, issue)).join("\n"));
    this.issues = issues;
  }
}

function formatIssue(fileName: string, { line, path, message }: ScenarioIssue): string {
  return `${fileName}${line === null ? "" : `:${line}`}: ${path === "" ? "" : `${path}: `}${message}`;
}

/**
 * Parses and validates a scenario file (scenarios/README.md has the format). Throws a
 * ScenarioError naming every wrong field with its line, so that a scenario is fixed in one round
 * trip and nothing half-valid reaches the runner.
 */
export function parseScenario(text: string, fileName = "scenario"): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      fileName,
      doc.errors.map((error) => ({
        line: lineCounter.linePos(error.pos[0]).line,
        path: "",
        message: error.message,
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // An alias to no anchor, or too many aliases (a "billion laughs" file), only shows here.
    const message = error instanceof Error ? error.message : String(error);
    throw new ScenarioError(fileName, [{ line: null, path: "", message }]);
  }
  const result = parseWith(scenarioSchema, data);
  if (result.success) return result.data;
  throw new ScenarioError(
    fileName,
    result.issues.map(({ path, message }) => ({
      line: lineOf(doc, lineCounter, path),
      path: formatPath(path),
      message,
    })),
  );
}

type Path = readonly PropertyKey[];

interface Issue {
  readonly path: Path;
  readonly message: string;
}

/**
 * Messages say what was expected, and toIssues appends what was found, the way loadConfig does
 * for the environment. Zod's own wording (`Invalid input: expected string, received number`) is
 * replaced by genericMessage where a schema does not word its own.
 */
function parseWith<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { success: true; data: T } | { success: false; issues: Issue[] } {
  const result = schema.safeParse(data, { reportInput: true, error: genericMessage });
  if (result.success) return { success: true, data: result.data };
  return { success: false, issues: result.error.issues.flatMap(toIssues) };
}

function genericMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  const expected: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
  };
  return `expected ${expected[issue.expected] ?? issue.expected}`;
}

function toIssues(issue: z.core.$ZodIssue): Issue[] {
  // One issue per unknown key, so that each is reported at its own line.
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [{ path: issue.path, message: "required" }];
  }
  // A custom issue's input is the whole value its check saw: its message says what it found.
  if (issue.code === "custom" || !("input" in issue)) return [issue];
  return [{ path: issue.path, message: `${issue.message}, got ${describe(issue.input)}` }];
}

/** A value as the YAML author wrote it: scalars verbatim, collections by kind. */
function describe(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

function formatPath(path: Path): string {
  return path
    .map((key, index) =>
      typeof key === "number"
        ? `[${key}]`
        : // An empty key (`"": 1`, or `: 1`) is named too, or its issue would name no field.
          `${index === 0 ? "" : "."}${key === "" ? '""' : String(key)}`,
    )
    .join("");
}

/**
 * The line of the YAML node at `path`: a mapping entry's key, a list item. A path that is not in
 * the file (a required key left out) gets the line of the nearest node above it that is.
 */
function lineOf(doc: Document, lineCounter: LineCounter, path: Path): number | null {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (pair === undefined || !isScalar(pair.key)) break;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item: unknown = node.items[key];
      if (!isNode(item)) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? null : lineCounter.linePos(offset).line;
}

/** "a, b or c" */
function orList(items: readonly string[]): string {
  return joinLast(items, "or");
}

/** "a, b and c" */
function andList(items: readonly string[]): string {
  return joinLast(items, "and");
}

function joinLast(items: readonly string[], last: string): string {
  return items.length < 2
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}

/**
 * A mapping that rejects keys it does not know, naming the ones it does. `what` words the
 * messages where "a mapping" and "unknown key" would say too little.
 */
function strictMapping<S extends z.core.$ZodLooseShape>(
  shape: S,
  what: { readonly expected: string; readonly unknownKey: string } = {
    expected: "a mapping",
    unknownKey: "unknown key",
  },
) {
  const known = orList(Object.keys(shape));
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return `${what.unknownKey} (expected ${known})`;
      if (issue.code === "invalid_type") return `expected ${what.expected}`;
      return undefined;
    },
  });
}

function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `(${min} or more)` : `from ${min} to ${max}`;
  const error = `expected a whole number ${range}`;
  const schema = z.int({ error }).min(min, { error });
  return max === undefined ? schema : schema.max(max, { error });
}

/** A YAML number is ms; a string is a duration as the environment settings take it. */
const duration = z.unknown().transform((raw, ctx) => {
  const ms =
    typeof raw === "number" || typeof raw === "string" ? parseDuration(String(raw)) : undefined;
  if (ms !== undefined) return ms;
  ctx.addIssue({
    code: "custom",
    message: `expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got ${describe(raw)}`,
  });
  return z.NEVER;
});

/** What a bare kind means with `pick: random`, and a name to suggest without it. */
const exampleOf: Readonly<Record<TargetKind, string>> = {
  broker: "kafka-1",
  producer: "producer-0",
  consumer: "consumer-0",
};

function isKind(target: string): target is TargetKind {
  return (TARGET_KINDS as readonly string[]).includes(target);
}

/**
 * kill and freeze name their target as control's API does (so that a step is exactly the call the
 * runner makes), or as a bare kind with `pick: random`, which reads better in a file.
 */
const targeted = {
  target: z.string(),
  pick: z.literal("random", { error: "expected random" }).optional(),
};

function resolveTarget(
  { target, pick }: { target: string; pick?: "random" | undefined },
  ctx: z.RefinementCtx,
): string {
  if (isKind(target)) {
    if (pick === "random") return `random:${target}`;
    ctx.addIssue({
      code: "custom",
      path: ["target"],
      message: `"${target}" is a kind, not a target: add "pick: random" for a random ${target}, or name one such as ${exampleOf[target]}`,
    });
    return target;
  }
  if (pick !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["pick"],
      message: `"pick: random" needs a bare kind as target (${orList(TARGET_KINDS)}), got "${target}"`,
    });
    return target;
  }
  const selector = parseSelector(target);
  if (typeof selector === "string") {
    ctx.addIssue({ code: "custom", path: ["target"], message: selector });
  }
  return target;
}

const killSchema = strictMapping({
  ...targeted,
  mode: z.enum(KILL_MODES, { error: `expected ${orList(KILL_MODES)}` }).default("graceful"),
}).transform((kill, ctx) => ({ target: resolveTarget(kill, ctx), mode: kill.mode }));

const freezeSchema = strictMapping({
  ...targeted,
  seconds: wholeNumber(1, 600),
}).transform((freeze, ctx) => ({ target: resolveTarget(freeze, ctx), seconds: freeze.seconds }));

/** `wait: 45s`, or `wait: { duration: 45s }` for symmetry with the other steps. */
const waitLongSchema = strictMapping({ duration }).transform((wait) => wait.duration);
const waitSchema = z.unknown().transform((raw, ctx) => {
  const isMapping = typeof raw === "object" && raw !== null && !Array.isArray(raw);
  const result = parseWith(isMapping ? waitLongSchema : duration, raw);
  if (result.success) return result.data;
  // parseWith has worded them already, "got …" included: forward them as they are.
  for (const { path, message } of result.issues) {
    ctx.addIssue({ code: "custom", path: [...path], message });
  }
  return z.NEVER;
});

/** A producer's own name: a rate applies to one producer, never to a random pick. */
function isTargetName(raw: string): boolean {
  const selector = parseSelector(raw);
  return typeof selector !== "string" && selector.type === "name" && !isKind(raw);
}

const rateSchema = strictMapping({
  producer: z.string().refine(isTargetName, {
    error: (issue) => `expected a producer's name such as producer-0, got ${describe(issue.input)}`,
  }),
  perSecond: wholeNumber(0, MAX_RATE_PER_SECOND),
});

const STEP_TYPES = ["kill", "freeze", "wait", "rate"] as const;

const stepSchema = strictMapping(
  {
    kill: killSchema.optional(),
    freeze: freezeSchema.optional(),
    wait: waitSchema.optional(),
    rate: rateSchema.optional(),
  },
  { expected: `a step (${orList(STEP_TYPES)})`, unknownKey: "unknown step type" },
).transform((step, ctx): ScenarioStep => {
  const written: ScenarioStep[] = [
    ...(step.kill === undefined ? [] : [{ type: "kill" as const, ...step.kill }]),
    ...(step.freeze === undefined ? [] : [{ type: "freeze" as const, ...step.freeze }]),
    ...(step.wait === undefined ? [] : [{ type: "wait" as const, ms: step.wait }]),
    ...(step.rate === undefined ? [] : [{ type: "rate" as const, ...step.rate }]),
  ];
  const [only, ...more] = written;
  if (only !== undefined && more.length === 0) return only;
  // An unknown step type has been reported already; "expected one" would only repeat it.
  if (ctx.issues.length === 0) {
    const got = written.length === 0 ? "" : `, got ${andList(written.map((s) => s.type))}`;
    ctx.addIssue({
      code: "custom",
      message: `expected one step type (${orList(STEP_TYPES)})${got}`,
    });
  }
  return z.NEVER;
});

const countBound = wholeNumber(0).optional();
const timeBound = duration.optional();

const sloSchema = strictMapping({
  missing: countBound,
  duplicates: countBound,
  staleReads: countBound,
  failedPolls: countBound,
  clientRecoveryP99: timeBound,
  podRecovery: timeBound,
  lagRecovery: timeBound,
} satisfies Record<SloName, z.ZodType>);

const abortRule = z.unknown().transform((raw, ctx): AbortRule => {
  const match = typeof raw === "string" ? /^\s*(>=?)\s*(\d+)\s*$/.exec(raw) : null;
  const [, op, value] = match ?? [];
  if ((op === ">" || op === ">=") && value !== undefined && Number.isSafeInteger(Number(value))) {
    return { op, value: Number(value) };
  }
  ctx.addIssue({
    code: "custom",
    message: `expected ">N" or ">=N" with N a whole number, got ${describe(raw)}`,
  });
  return z.NEVER;
});

const abortSchema = strictMapping({
  missing: abortRule.optional(),
  duplicates: abortRule.optional(),
  staleReads: abortRule.optional(),
  failedPolls: abortRule.optional(),
} satisfies Record<CountSlo, z.ZodType>);

const scenarioSchema = strictMapping(
  {
    name: z.string().regex(/^[a-z0-9-]+$/, { error: 'expected lowercase letters, digits and "-"' }),
    description: z.string().default(""),
    seed: z.int({ error: "expected a whole number" }).default(1),
    steady: duration.default(20_000),
    steps: z.array(stepSchema).min(1, { error: "expected at least one step" }),
    slo: sloSchema.default({}),
    abortWhen: abortSchema.default({}),
    failoverSettings: z
      .enum(FAILOVER_SETTINGS, { error: `expected ${orList(FAILOVER_SETTINGS)}` })
      .optional(),
  },
  { expected: "a scenario (a mapping with name, steps, …)", unknownKey: "unknown key" },
).transform(({ steady, failoverSettings, ...rest }): Scenario => ({
  ...rest,
  steadyMs: steady,
  ...(failoverSettings === undefined ? {} : { failoverSettings }),
}));
