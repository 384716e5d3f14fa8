import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunState } from "../../src/contract/runs.ts";
import { scorecardSchema, type Scorecard } from "../../src/contract/scorecard.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { tagsOf, waitForTrace } from "../support/jaeger.ts";
import { createTestLab, type LabRun, type TestLab } from "../support/testLab.ts";

// Scripted chaos runs as an engineer runs them in CI: `blackout run` against the real local lab,
// with the exit code, report.json, report.md and junit.xml it leaves.
const cli = join(import.meta.dirname, "../../src/cli.ts");
const scenarios = join(import.meta.dirname, "../../../scenarios");
let testLab: TestLab;
let lab: LabRun;
let workDir: string;

beforeAll(async () => {
  testLab = await createTestLab();
  workDir = await mkdtemp(join(tmpdir(), "blackout-runs-"));
  lab = testLab.start();
  await lab.waitUp();
}, 300_000);

afterAll(async () => {
  lab.interrupt();
  await Promise.race([lab.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  await testLab.destroy("scenario-runs-logs");
});

interface CliResult {
  code: number | null;
  output: string;
  report: Scorecard;
  junit: string;
  markdown: string;
}

async function runScenario(file: string, name: string): Promise<CliResult> {
  const reportDir = join(workDir, name);
  const child = spawn(
    process.execPath,
    [cli, "run", file, "--control", testLab.urls.control, "--report", reportDir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const read = (report: string) => readFile(join(reportDir, report), "utf8");
  return {
    code,
    output,
    report: scorecardSchema.parse(JSON.parse(await read("report.json"))),
    junit: await read("junit.xml"),
    markdown: await read("report.md"),
  };
}

async function scenarioFile(name: string, yaml: string[]): Promise<string> {
  const file = join(workDir, `${name}.yaml`);
  await writeFile(file, `${yaml.join("\n")}\n`);
  return file;
}

describe("blackout run against the local lab", () => {
  // The scenario's own steady window and waits take 90 s, then its fault must complete.
  it("passes the shipped consumer-hard-kill scenario with nothing missing", async () => {
    const result = await runScenario(join(scenarios, "consumer-hard-kill.yaml"), "hard-kill");
    expect(result.code, result.output).toBe(0);
    const { report } = result;
    expect(report.run).toMatchObject({ scenario: "consumer-hard-kill", status: "passed", seed: 7 });
    expect(report.totals).toMatchObject({ missing: 0 });
    // The lab's failover settings are part of the report's lab configuration.
    expect(report.lab.config).toMatchObject({ failoverSettings: "typical" });
    expect(report.steps[0]).toMatchObject({
      outcome: "done",
      victim: expect.stringMatching(/^consumer-\d$/) as unknown,
    });
    expect(report.faults).toHaveLength(1);
    expect(report.faults[0]?.report).toMatchObject({ status: "complete", timedOut: false });
    expect(report.slos.every((slo) => slo.passed)).toBe(true);
    expect(result.junit).toMatch(/failures="0"/);
    expect(result.markdown).toContain("consumer-hard-kill");
    // The run is in the lab's Jaeger too, by its id, naming its fault.
    const run = await waitForTrace(
      testLab.urls.traces,
      { service: "control", tags: { "blackout.run.id": report.run.id } },
      () => true,
      `the span of run ${report.run.id}`,
    );
    const tags = tagsOf(run);
    expect(tags.get("blackout.run.status")).toBe("passed");
    expect(tags.get("blackout.fault.ids")).toContain(report.faults[0]?.id);
  }, 400_000);

  it("fails with exit code 1 and a JUnit failure naming an SLO that cannot hold", async () => {
    const file = await scenarioFile("impossible", [
      "name: impossible-pod-recovery",
      "description: a freeze cannot be over within a millisecond",
      "steady: 5s",
      "steps:",
      "  - freeze: { target: consumer-0, seconds: 2 }",
      "  - wait: 3s",
      "slo:",
      "  missing: 0",
      "  podRecovery: 1ms",
    ]);
    const result = await runScenario(file, "impossible");
    expect(result.code, result.output).toBe(1);
    expect(result.report.run.status).toBe("failed");
    expect(result.report.slos.find((slo) => slo.name === "podRecovery")).toMatchObject({
      passed: false,
      bound: 1,
    });
    expect(result.junit).toMatch(/<failure[^>]*podRecovery/);
    expect(result.report.slos.find((slo) => slo.name === "missing")).toMatchObject({
      passed: true,
      actual: 0,
    });
  }, 300_000);

  it("scores a kill -9 made by hand while its wait runs, as a kubectl-driven run would be", async () => {
    const file = await scenarioFile("observed", [
      "name: observe-by-hand",
      "description: inject nothing; a consumer is killed by someone else meanwhile",
      "steady: 5s",
      "steps:",
      "  - wait: 20s",
      "slo:",
      "  missing: 0",
    ]);
    const running = runScenario(file, "observed");
    // Into the wait step, then kill -9 a consumer by hand, as `kubectl delete pod` would.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const consumer = (await testLab.components()).find((c) => c.name === "consumer-2");
    process.kill(consumer?.pid ?? 0, "SIGKILL");
    const result = await running;
    expect(result.code, result.output).toBe(0);
    expect(result.report.faults.map((f) => [f.target, f.actor, f.selector])).toEqual([
      ["consumer-2", "external", "observed"],
    ]);
    expect(result.report.faults[0]?.report.podRecoveryMs).toBeGreaterThan(0);
    expect(result.report.steps.map((step) => step.outcome)).toEqual(["done"]);
  }, 300_000);

  it("stops a run when abortWhen trips, before any step, and still writes the reports", async () => {
    const file = await scenarioFile("aborted", [
      "name: abort-at-once",
      "description: failedPolls >= 0 holds from the start, so the run stops in its steady window",
      "steady: 30s",
      "steps:",
      "  - kill: { target: consumer-1, mode: hard }",
      "slo:",
      "  missing: 0",
      'abortWhen: { failedPolls: ">=0" }',
    ]);
    const result = await runScenario(file, "aborted");
    expect(result.code, result.output).toBe(1);
    expect(result.report.run).toMatchObject({ status: "aborted" });
    expect(result.report.run.abortReason).toMatch(/failedPolls >= 0/);
    expect(result.report.steps.map((step) => step.outcome)).toEqual(["skipped"]);
    expect(result.report.faults).toEqual([]);
  });

  it("ends a run cut by control's SIGKILL as aborted, with its report and fault, and thaws its freeze", async () => {
    const file = await scenarioFile("interrupted", [
      "name: interrupted",
      "description: control is killed while the run's freeze holds",
      "steady: 2s",
      "steps:",
      "  - freeze: { target: consumer-1, seconds: 120 }",
      "  - wait: 120s",
      "slo:",
      "  missing: 0",
    ]);
    const running = runScenario(file, "interrupted");
    const component = async (name: string) =>
      (await testLab.components()).find((c) => c.name === name);
    await waitFor(
      async () => ((await component("consumer-1"))?.status === "frozen" ? true : undefined),
      {
        what: "consumer-1 frozen by the run",
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    // The freeze step is done once control answered its injection, by when the fault is on the
    // timeline in Kafka.
    await waitFor(
      async () => {
        const { runs } = (await (await fetch(`${testLab.urls.control}/api/runs`)).json()) as {
          runs: { id: string; status: string }[];
        };
        const going = runs.find((r) => r.status === "running");
        if (going === undefined) return undefined;
        const run = (await (
          await fetch(`${testLab.urls.control}/api/runs/${going.id}`)
        ).json()) as RunState;
        return run.scorecard.steps[0]?.endedAt !== null && run.scorecard.steps.length > 0
          ? true
          : undefined;
      },
      { what: "the run's freeze step to be done", timeoutMs: 30_000, intervalMs: 250 },
    );
    const killedAt = Date.now();
    process.kill((await component("control"))?.pid ?? 0, "SIGKILL");

    // The CLI follows the run through control's restart (the supervisor replaces it in 1 s).
    const result = await running;
    expect(result.code, result.output).toBe(1);
    expect(result.report.run).toMatchObject({
      status: "aborted",
      abortReason: "control restarted during the run (its process ended)",
    });
    expect(result.report.steps.map((step) => [step.description, step.outcome])).toEqual([
      ["freeze consumer-1 for 120 s", "done"],
      ["wait 120 s", "failed"],
    ]);
    const [fault, ...others] = result.report.faults;
    expect(others).toEqual([]);
    expect(fault).toMatchObject({ target: "consumer-1", action: "freeze", seconds: 120 });
    // Thawed by the restarted control, long before the freeze's 120 s were up.
    expect((await component("consumer-1"))?.status).toBe("running");
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    const { faults } = (await (await fetch(`${testLab.urls.control}/api/faults`)).json()) as {
      faults: { id: string }[];
    };
    expect(faults.map((f) => f.id)).toContain(fault?.id);
  }, 300_000);
});
