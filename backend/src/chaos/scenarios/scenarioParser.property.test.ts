import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { MAX_RATE_PER_SECOND } from "../../contract/producerRate.ts";
import { COUNT_SLOS, TIME_SLOS } from "../../contract/scorecard.ts";
import { TARGET_KINDS } from "../../contract/targets.ts";
import { InvalidInputError } from "../../lib/errors.ts";
import { payloadArb, payloadText } from "../../lib/fuzzPayload.fixture.ts";
import { FAILOVER_SETTINGS, type Scenario, type ScenarioStep } from "./scenario.ts";
import { ScenarioError, parseScenario } from "./scenarioParser.ts";
import { libraryScenarios, mutatedScenarioArb, scenarioTextArb } from "./scenarioText.fixture.ts";

/**
 * Issue 18's property for the scenario parser: any text is either a scenario or a ScenarioError
 * naming what is wrong and where, never another exception; and every scenario that can be
 * written parses back to itself.
 */

/** What parsing `text` gives: the scenario, or the ScenarioError (anything else fails the test). */
function outcome(text: string): Scenario | ScenarioError {
  try {
    return parseScenario(text, "fuzzed.yaml");
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
}

/**
 * A ScenarioError is a 400 for control's API, lists at least one issue, and each issue names its
 * field (a path), or is about the file as a whole: YAML that does not parse, or not a mapping.
 */
function expectWellFormed(error: ScenarioError): void {
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(issue.message, error.message).toMatch(/\S/);
    if (issue.path === "") {
      expect(issue.message, error.message).not.toMatch(/^required$|^unknown key/);
    }
    expect(error.message).toContain(issue.path === "" ? issue.message : `${issue.path}: `);
  }
}

describe("parseScenario under random input", () => {
  it("answers any text with a scenario or a ScenarioError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          scenarioTextArb,
          fc.string({ unit: "binary", maxLength: 500 }),
          // Flow YAML is JSON: deep nesting and huge strings, up to the API's 64 KiB.
          payloadArb({ maxDepth: 30_000, hugeBytes: 64_000 }).map(payloadText),
          // Any JavaScript value as YAML writes it (undefined writes nothing).
          fc.anything().map((value) => (stringify(value) as string | undefined) ?? ""),
        ),
        (text) => {
          const result = outcome(text);
          if (result instanceof ScenarioError) expectWellFormed(result);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("names the field whose value an edit broke, or the YAML that no longer parses", () => {
    const library = libraryScenarios.flatMap(({ file, text }) =>
      text
        .split("\n")
        .map((line, at) => ({ file, text, at, key: /^(\w+):/.exec(line)?.[1] }))
        .filter((line): line is typeof line & { key: string } => line.key !== undefined),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...library),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
          fc.constantFrom(
            "",
            "~",
            "[]",
            "{}",
            "-5s",
            "random",
            "*nowhere",
            "!!binary aGk=",
            "1e400",
          ),
          fc.string({ maxLength: 30 }),
        ),
        ({ text, at, key }, value) => {
          const lines = text.split("\n");
          lines[at] = `${key}: ${value}`;
          const result = outcome(lines.join("\n"));
          if (!(result instanceof ScenarioError)) return;
          expectWellFormed(result);
          const named = result.issues.some(
            (issue) =>
              issue.path === "" ||
              issue.path === key ||
              issue.path.startsWith(`${key}.`) ||
              issue.path.startsWith(`${key}[`),
          );
          expect(named, result.message).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads the library's scenarios, edited, without any other exception", () => {
    fc.assert(
      fc.property(mutatedScenarioArb, ({ text }) => {
        const result = outcome(text);
        if (result instanceof ScenarioError) expectWellFormed(result);
      }),
      { numRuns: 300 },
    );
  });

  it("parses every scenario it can be given back to that scenario", () => {
    fc.assert(
      fc.property(scenarioArb, ({ yaml, scenario }) => {
        const text = stringify(yaml);
        expect(parseScenario(text), text).toStrictEqual(scenario);
      }),
      { numRuns: 300 },
    );
  });
});

/** A value and what it becomes once parsed. */
interface Written<T> {
  readonly yaml: unknown;
  readonly value: T;
}

const durationArb: fc.Arbitrary<Written<number>> = fc.oneof(
  fc.nat({ max: 10_000_000 }).map((ms) => ({ yaml: ms, value: ms })),
  fc.nat({ max: 10_000_000 }).map((ms) => ({ yaml: `${ms}ms`, value: ms })),
  fc.nat({ max: 100_000 }).map((s) => ({ yaml: `${s}s`, value: s * 1000 })),
  fc.nat({ max: 10_000 }).map((s) => ({ yaml: `${s}.5s`, value: s * 1000 + 500 })),
  fc.nat({ max: 1000 }).map((m) => ({ yaml: `${m}m`, value: m * 60_000 })),
);

const KINDS: readonly string[] = TARGET_KINDS;

/** A target's own name: not a kind, and not a word a selector reserves. */
const nameArb = fc
  .stringMatching(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  .filter(
    (name) => !KINDS.includes(name) && !["random", "most-leaders", "controller"].includes(name),
  );

/** A kill's or a freeze's target as written, and the selector it stands for. */
const targetArb: fc.Arbitrary<Written<string>> = fc.oneof(
  nameArb.map((name) => ({ yaml: { target: name }, value: name })),
  fc
    .constantFrom(...TARGET_KINDS)
    .map((kind) => ({ yaml: { target: kind, pick: "random" }, value: `random:${kind}` })),
  fc
    .constantFrom(...TARGET_KINDS)
    .map((kind) => ({ yaml: { target: `random:${kind}` }, value: `random:${kind}` })),
  fc
    .nat({ max: 999_999 })
    .map((p) => ({ yaml: { target: `leader-of:${p}` }, value: `leader-of:${p}` })),
  fc.constantFrom("most-leaders", "controller").map((s) => ({ yaml: { target: s }, value: s })),
);

const stepArb: fc.Arbitrary<Written<ScenarioStep>> = fc.oneof(
  fc
    .tuple(targetArb, fc.option(fc.constantFrom("graceful" as const, "hard" as const)))
    .map(([target, mode]) => ({
      yaml: { kill: { ...(target.yaml as object), ...(mode === null ? {} : { mode }) } },
      value: { type: "kill" as const, target: target.value, mode: mode ?? "graceful" },
    })),
  fc.tuple(targetArb, fc.integer({ min: 1, max: 600 })).map(([target, seconds]) => ({
    yaml: { freeze: { ...(target.yaml as object), seconds } },
    value: { type: "freeze" as const, target: target.value, seconds },
  })),
  fc.tuple(durationArb, fc.boolean()).map(([duration, long]) => ({
    yaml: { wait: long ? { duration: duration.yaml } : duration.yaml },
    value: { type: "wait" as const, ms: duration.value },
  })),
  fc
    .tuple(nameArb, fc.integer({ min: 0, max: MAX_RATE_PER_SECOND }))
    .map(([producer, perSecond]) => ({
      yaml: { rate: { producer, perSecond } },
      value: { type: "rate" as const, producer, perSecond },
    })),
);

/** Some of `keys`, each with a value from `valueArb`. */
function someOf<T>(
  keys: readonly string[],
  valueArb: fc.Arbitrary<Written<T>>,
): fc.Arbitrary<Written<Record<string, T>>> {
  return fc
    .subarray([...keys])
    .chain((chosen) => fc.tuple(...chosen.map((key) => valueArb.map((v) => [key, v] as const))))
    .map((entries) => ({
      yaml: Object.fromEntries(entries.map(([key, v]) => [key, v.yaml])),
      value: Object.fromEntries(entries.map(([key, v]) => [key, v.value])),
    }));
}

const countArb = fc.nat({ max: 1_000_000 }).map((n) => ({ yaml: n, value: n }));
const abortRuleArb = fc
  .tuple(fc.constantFrom(">" as const, ">=" as const), fc.nat({ max: 1_000_000 }))
  .map(([op, value]) => ({ yaml: `${op}${value}`, value: { op, value } }));

/** A scenario file's content built field by field, and the Scenario the parser must make of it. */
const scenarioArb: fc.Arbitrary<{ yaml: unknown; scenario: Scenario }> = fc
  .record({
    name: fc.stringMatching(/^[a-z0-9-]{1,40}$/),
    description: fc.option(fc.string({ maxLength: 200 })),
    seed: fc.option(fc.maxSafeInteger()),
    steady: fc.option(durationArb),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
    counts: someOf(COUNT_SLOS, countArb),
    times: someOf(TIME_SLOS, durationArb),
    abortWhen: fc.option(someOf(COUNT_SLOS, abortRuleArb)),
    failoverSettings: fc.option(fc.constantFrom(...FAILOVER_SETTINGS)),
  })
  .map(
    ({ name, description, seed, steady, steps, counts, times, abortWhen, failoverSettings }) => ({
      yaml: {
        name,
        ...(description === null ? {} : { description }),
        ...(seed === null ? {} : { seed }),
        ...(steady === null ? {} : { steady: steady.yaml }),
        steps: steps.map((step) => step.yaml),
        slo: { ...(counts.yaml as object), ...(times.yaml as object) },
        ...(abortWhen === null ? {} : { abortWhen: abortWhen.yaml }),
        ...(failoverSettings === null ? {} : { failoverSettings }),
      },
      scenario: {
        name,
        description: description ?? "",
        seed: seed ?? 1,
        steps: steps.map((step) => step.value),
        slo: { ...counts.value, ...times.value },
        abortWhen: abortWhen?.value ?? {},
        steadyMs: steady?.value ?? 20_000,
        ...(failoverSettings === null ? {} : { failoverSettings }),
      },
    }),
  );
