import { describe, expect, it } from "vitest";
import { renderJunit } from "./reportJunit.ts";
import { abortedScorecard, failingScorecard, passingScorecard } from "./scorecard.fixture.ts";

/** The attributes of the first `<tag …>` in xml, unescaped. */
function attributesOf(xml: string, tag: string): Record<string, string> {
  const open = new RegExp(`<${tag}\\s([^>]*?)/?>`).exec(xml)?.[1] ?? "";
  return Object.fromEntries(
    [...open.matchAll(/([\w.:-]+)="([^"]*)"/g)].map(([, name = "", value = ""]) => [
      name,
      unescape(value),
    ]),
  );
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Each testcase's name and, when it failed, its failure message. */
function testcases(xml: string): { name: string; failure?: string; error?: string }[] {
  return [...xml.matchAll(/<testcase\s[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g)].map(([block]) => {
    const failure = attributesOf(block, "failure").message;
    const error = attributesOf(block, "error").message;
    return {
      name: attributesOf(block, "testcase").name ?? "",
      ...(failure !== undefined ? { failure } : {}),
      ...(error !== undefined ? { error } : {}),
    };
  });
}

describe("renderJunit", () => {
  it("has one passing testcase per SLO for a passing run", () => {
    const xml = renderJunit(passingScorecard());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml.match(/<testsuite\s/g)).toHaveLength(1);
    expect(attributesOf(xml, "testsuite")).toMatchObject({
      name: "broker-hard-kill",
      tests: "4",
      failures: "0",
      errors: "0",
      time: "90.000",
      timestamp: "2025-06-15T15:06:40Z",
    });
    expect(testcases(xml)).toEqual([
      { name: "slo missing <= 0 records" },
      { name: "slo duplicates <= 0 records" },
      { name: "slo clientRecoveryP99 <= 12.0 s" },
      { name: "slo lagRecovery <= 30.0 s" },
    ]);
    expect(xml).toContain('<property name="seed" value="42"/>');
  });

  it("fails the missed SLOs, naming the bound and the actual value", () => {
    const xml = renderJunit(failingScorecard());
    expect(attributesOf(xml, "testsuite")).toMatchObject({ tests: "4", failures: "2" });
    expect(attributesOf(xml, "testsuites")).toMatchObject({ tests: "4", failures: "2" });
    expect(testcases(xml).filter((c) => c.failure !== undefined)).toEqual([
      {
        name: "slo missing <= 0 records",
        failure: "SLO missing missed: 3 records, bound 0 records",
      },
      {
        name: "slo clientRecoveryP99 <= 12.0 s",
        failure: "SLO clientRecoveryP99 missed: 24.9 s, bound 12.0 s",
      },
    ]);
    // `<=` in a name is escaped, never raw inside an attribute.
    expect(xml).not.toMatch(/name="[^"]*</);
  });

  it("adds a failing abortWhen case to an aborted run", () => {
    const xml = renderJunit(abortedScorecard());
    const cases = testcases(xml);
    expect(cases.at(-1)).toEqual({
      name: "abortWhen",
      failure: "run aborted: abortWhen missing > 0: missing is 3",
    });
    expect(attributesOf(xml, "testsuite")).toMatchObject({ tests: "5", failures: "4" });
    expect(xml).toContain("abortWhen missing &gt; 0");
  });

  it("errors a run case when the run ended in error", () => {
    const scorecard = passingScorecard();
    scorecard.run = { ...scorecard.run, status: "error" };
    const xml = renderJunit(scorecard);
    expect(testcases(xml).at(-1)?.name).toBe("run");
    expect(attributesOf(xml, "testsuite")).toMatchObject({ tests: "5", errors: "1" });
  });

  it("adds a baseline case that fails on a regression", () => {
    const passing = renderJunit(passingScorecard(), {
      baseline: { regressions: [], warnings: ["config differs"] },
    });
    expect(testcases(passing).at(-1)).toEqual({ name: "baseline" });
    const regressed = renderJunit(passingScorecard(), {
      baseline: { regressions: ["3 records went missing (baseline: 0)"], warnings: [] },
    });
    expect(testcases(regressed).at(-1)).toEqual({
      name: "baseline",
      failure: "regression against the baseline: 3 records went missing (baseline: 0)",
    });
  });

  it("escapes what it did not write itself", () => {
    const scorecard = abortedScorecard();
    scorecard.run = {
      ...scorecard.run,
      scenario: `a<b>&"c"`,
      abortReason: "bad \u001b[31mred\u001b[0m & <worse>",
    };
    const xml = renderJunit(scorecard);
    expect(attributesOf(xml, "testsuite").name).toBe(`a<b>&"c"`);
    expect(xml).toContain("bad \ufffd[31mred\ufffd[0m &amp; &lt;worse&gt;");
    expect(xml).not.toContain("\u001b");
  });
});
