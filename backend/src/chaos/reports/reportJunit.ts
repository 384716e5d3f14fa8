import type { BaselineComparison } from "./baseline.ts";
import { escapeXml } from "./escapeXml.ts";
import { formatSloValue, verdictOf } from "./reportFormat.ts";
import type { Scorecard } from "../../contract/scorecard.ts";

export interface JunitOptions {
  /** A comparison with a baseline run adds a `baseline` testcase, failing on a regression. */
  readonly baseline?: BaselineComparison;
}

interface TestCase {
  readonly name: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  /** The run itself went wrong (a JUnit error, not a failed assertion). */
  readonly error?: { readonly message: string };
}

const attr = (name: string, value: string | number): string =>
  `${name}="${escapeXml(String(value))}"`;

/**
 * junit.xml: one test suite per run, one test case per SLO, so that CI shows a missed SLO the way
 * it shows a failed test. An aborted run fails an `abortWhen` case; a run that ended in error (or
 * had not ended) errors a `run` case.
 */
export function renderJunit(scorecard: Scorecard, options: JunitOptions = {}): string {
  const { run } = scorecard;
  const cases: TestCase[] = scorecard.slos.map((slo) => {
    const bound = formatSloValue(slo.bound, slo.unit);
    const actual = formatSloValue(slo.actual, slo.unit);
    return {
      name: `slo ${slo.name} <= ${bound}`,
      ...(slo.passed
        ? {}
        : {
            failure: {
              message: `SLO ${slo.name} missed: ${actual}, bound ${bound}`,
              type: "SloMissed",
              body: `${slo.name}: actual ${actual}, at most ${bound} allowed`,
            },
          }),
    };
  });
  if (run.status === "aborted") {
    const reason = run.abortReason ?? "aborted";
    cases.push({
      name: "abortWhen",
      failure: { message: `run aborted: ${reason}`, type: "RunAborted", body: reason },
    });
  }
  if (run.status === "error" || run.status === "running") {
    cases.push({ name: "run", error: { message: verdictOf(scorecard) } });
  }
  if (options.baseline !== undefined) {
    const { regressions, warnings } = options.baseline;
    cases.push({
      name: "baseline",
      ...(regressions.length > 0
        ? {
            failure: {
              message: `regression against the baseline: ${regressions.join("; ")}`,
              type: "BaselineRegression",
              body: [...regressions, ...warnings.map((w) => `warning: ${w}`)].join("\n"),
            },
          }
        : {}),
    });
  }

  const failures = cases.filter((c) => c.failure !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const seconds = (((run.endedAt ?? run.startedAt) - run.startedAt) / 1000).toFixed(3);
  const classname = `blackout.${run.scenario}`;
  const counts = [attr("tests", cases.length), attr("failures", failures), attr("errors", errors)];
  const properties: [string, string | number][] = [
    ["run", run.id],
    ["seed", run.seed],
    ["status", run.status],
    ["actor", run.actor],
    ["lab.mode", scorecard.lab.mode],
    ["lab.configHash", scorecard.lab.configHash],
    ["version.blackout", scorecard.lab.versions.blackout],
    ["version.kafka", scorecard.lab.versions.kafka],
    ["version.node", scorecard.lab.versions.node],
  ];

  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites ${[attr("name", "blackout"), ...counts, attr("time", seconds)].join(" ")}>`,
    `  <testsuite ${[attr("name", run.scenario), ...counts, attr("skipped", 0), attr("time", seconds), attr("timestamp", new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, "Z"))].join(" ")}>`,
    `    <properties>`,
    ...properties.map(
      ([name, value]) => `      <property ${attr("name", name)} ${attr("value", value)}/>`,
    ),
    `    </properties>`,
  ];
  for (const testCase of cases) {
    // The SLOs are judged once the run is over: the run's time is the suite's, not a case's.
    const open = `    <testcase ${attr("classname", classname)} ${attr("name", testCase.name)} ${attr("time", 0)}`;
    if (testCase.failure !== undefined) {
      const { message, type, body } = testCase.failure;
      lines.push(
        `${open}>`,
        `      <failure ${attr("message", message)} ${attr("type", type)}>${escapeXml(body)}</failure>`,
        `    </testcase>`,
      );
    } else if (testCase.error !== undefined) {
      lines.push(
        `${open}>`,
        `      <error ${attr("message", testCase.error.message)} ${attr("type", "RunError")}/>`,
        `    </testcase>`,
      );
    } else {
      lines.push(`${open}/>`);
    }
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}
