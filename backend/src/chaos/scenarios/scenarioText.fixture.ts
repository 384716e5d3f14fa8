import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { stringify } from "yaml";

const libraryDir = fileURLToPath(new URL("../../../../scenarios/", import.meta.url));

/** The library's scenarios (scenarios/*.yaml) as their files read. */
export const libraryScenarios: readonly { readonly file: string; readonly text: string }[] =
  readdirSync(libraryDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, text: readFileSync(libraryDir + file, "utf8") }));

/** What YAML may hold where a scenario has a value: scalars of every kind, lists, mappings. */
const yamlValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "~",
    "null",
    "true",
    "no",
    "0",
    "-1",
    "1e400",
    ".nan",
    "0x1F",
    "20s",
    "1.5m",
    "-5s",
    "random",
    "consumer",
    "random:gateway",
    "leader-of:x",
    '">0"',
    "[]",
    "{}",
    "[a, b]",
    "{ target: consumer-1 }",
    "&a x",
    "*a",
    "*nowhere",
    "!!binary aGVsbG8=",
    "!!set { a }",
    "!!omap [ a: 1 ]",
    "!!timestamp 2026-12-06",
    "!custom 1",
    "|\n  block",
    "'unterminated",
    '"\\x"',
    "{ a: [ }",
  ),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? "null"),
  fc.string({ maxLength: 40 }),
);

/** One edit of a scenario file's lines, as an author's slip or a corrupted copy would make. */
const lineEditArb = fc.oneof(
  fc.record({ edit: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ edit: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ edit: fc.constant("value" as const), at: fc.nat(), value: yamlValueArb }),
  fc.record({ edit: fc.constant("insert" as const), at: fc.nat(), line: yamlValueArb }),
  fc.record({
    edit: fc.constant("indent" as const),
    at: fc.nat(),
    by: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({ edit: fc.constant("truncate" as const), at: fc.nat() }),
);
type LineEdit = typeof lineEditArb extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(text: string, edit: LineEdit): string {
  const lines = text.split("\n");
  const at = edit.at % lines.length;
  const line = lines[at] ?? "";
  switch (edit.edit) {
    case "delete":
      lines.splice(at, 1);
      break;
    case "duplicate":
      lines.splice(at, 0, line);
      break;
    case "value": {
      // A `key: value` line gets another value; a list item or a bare line is replaced whole.
      const colon = line.indexOf(": ");
      lines[at] = colon === -1 ? edit.value : `${line.slice(0, colon + 2)}${edit.value}`;
      break;
    }
    case "insert":
      lines.splice(at, 0, edit.line);
      break;
    case "indent":
      lines[at] = edit.by >= 0 ? `${" ".repeat(edit.by)}${line}` : line.slice(-edit.by);
      break;
    case "truncate":
      return text.slice(0, edit.at % (text.length + 1));
  }
  return lines.join("\n");
}

/** A library scenario with one to four edits: mostly still YAML, often no longer a scenario. */
export const mutatedScenarioArb: fc.Arbitrary<{ file: string; text: string }> = fc
  .record({
    scenario: fc.constantFrom(...libraryScenarios),
    edits: fc.array(lineEditArb, { minLength: 1, maxLength: 4 }),
  })
  .map(({ scenario, edits }) => ({
    file: scenario.file,
    text: edits.reduce(applyEdit, scenario.text),
  }));

/**
 * Text that may be sent as a scenario file: a library scenario as it is or edited, a random
 * object written as YAML, or random text.
 */
export const scenarioTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...libraryScenarios.map((s) => s.text)),
  mutatedScenarioArb.map((s) => s.text),
  fc.jsonValue({ maxDepth: 4 }).map((value) => stringify(value)),
  fc.string({ maxLength: 300 }),
);
