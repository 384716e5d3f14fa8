import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./reportMarkdown.ts";
import { abortedScorecard, failingScorecard, passingScorecard } from "./scorecard.fixture.ts";

const charts = [
  { file: "chart-latency.svg", title: "Client poll latency" },
  { file: "chart-lag.svg", title: "Consumer group lag" },
];

/** The rows of the Markdown table right under `heading`. */
function tableUnder(markdown: string, heading: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("|")) continue;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe("renderMarkdown", () => {
  it("summarises a passing run: verdict, facts, SLO table, faults, steps and charts", () => {
    const md = renderMarkdown(passingScorecard(), charts);
    expect(md.split("\n")[0]).toBe("# Blackout run: broker-hard-kill");
    expect(md).toContain("**PASSED: all 4 SLOs hold**");
    expect(md.match(/^## .*/gm)).toEqual([
      "## Run",
      "## SLOs",
      "## Faults",
      "## Steps",
      "## Charts",
    ]);
    expect(md).toContain("seed 42");
    expect(md).toContain("started 2025-06-15 15:06:40Z");
    expect(md).toContain("Kafka 4.4.0, Node v24.21.0");
    expect(md).toContain("`3f1c9a0e5b7d2468ace0fdb97531eca86420bdf13579ace2468bdf0ca97531e`");

    const slos = tableUnder(md, "## SLOs");
    expect(slos[0]).toEqual(["SLO", "bound", "actual", "result"]);
    expect(slos.slice(2)).toEqual([
      ["missing", "≤ 0 records", "0 records", "pass"],
      ["duplicates", "≤ 0 records", "0 records", "pass"],
      ["clientRecoveryP99", "≤ 12.0 s", "9.4 s", "pass"],
      ["lagRecovery", "≤ 30.0 s", "24.7 s", "pass"],
    ]);

    const faults = tableUnder(md, "## Faults");
    expect(faults).toHaveLength(3);
    expect(faults[2]).toEqual([
      "+20.1 s",
      "kafka-2 (leader-of:0)",
      "kill (hard)",
      "scenario:run-20250615T150640Z-1",
      "17.6 s",
      "950 ms / 9.4 s / 9.8 s",
      "24.7 s",
      "9.0 s: the controller fences it (broker.session.timeout.ms 9 s)",
      "0",
      "0",
      "374",
      "12",
      "0",
      "complete",
    ]);

    const steps = tableUnder(md, "## Steps");
    expect(steps.slice(2)).toEqual([
      ["1", "kill leader-of:0 (hard)", "+20.0 s", "done", "kafka-2", ""],
      ["2", "wait 45 s", "+20.1 s", "done", "", ""],
    ]);
    expect(md).toContain("![Client poll latency](chart-latency.svg)");
    expect(md).toContain("![Consumer group lag](chart-lag.svg)");
  });

  it("names the missed SLOs of a failing run and marks them in the table", () => {
    const md = renderMarkdown(failingScorecard(), charts);
    expect(md).toContain("**FAILED: 2 of 4 SLOs missed (missing, clientRecoveryP99)**");
    const slos = tableUnder(md, "## SLOs").slice(2);
    expect(slos.filter((row) => row[3] === "**FAIL**").map((row) => row[0])).toEqual([
      "missing",
      "clientRecoveryP99",
    ]);
    expect(slos[0]).toEqual(["missing", "≤ 0 records", "3 records", "**FAIL**"]);
    expect(tableUnder(md, "## Faults")[2]?.[5]).toBe("1.2 s / 24.9 s / 25.1 s (1 pending)");
    expect(md).toContain("clients saw 3 missing");
  });

  it("gives an aborted run's reason, its skipped steps and its unmeasured SLOs", () => {
    const md = renderMarkdown(abortedScorecard(), []);
    expect(md).toContain("**ABORTED: abortWhen missing > 0: missing is 3**");
    expect(tableUnder(md, "## Steps")[3]?.[3]).toBe("skipped");
    expect(tableUnder(md, "## SLOs")[4]).toEqual([
      "clientRecoveryP99",
      "≤ 12.0 s",
      "not measured",
      "**FAIL**",
    ]);
    expect(md).not.toContain("## Charts");
  });

  it("adds the baseline's regressions and warnings", () => {
    const md = renderMarkdown(passingScorecard(), charts, {
      baseline: { regressions: ["3 records went missing (baseline: 0)"], warnings: ["differs"] },
    });
    expect(md).toContain("## Baseline");
    expect(md).toContain("- **regression**: 3 records went missing (baseline: 0)");
    expect(md).toContain("- warning: differs");
  });

  it("keeps tables intact when text holds pipes or newlines", () => {
    const scorecard = passingScorecard();
    const [kill] = scorecard.steps;
    if (kill === undefined) throw new Error("fixture has steps");
    scorecard.steps = [{ ...kill, outcome: "refused", message: "no | such\ntarget" }];
    const steps = tableUnder(renderMarkdown(scorecard, []), "## Steps");
    expect(steps[2]).toHaveLength(6);
    expect(steps[2]?.[5]).toBe("no \\| such target");
  });
});
