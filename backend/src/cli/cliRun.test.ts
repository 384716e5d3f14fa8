import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Scorecard } from "../contract/scorecard.ts";
import { scorecardSchema } from "../contract/scorecard.ts";
import {
  abortedScorecard,
  failingScorecard,
  passingScorecard,
} from "../chaos/reports/scorecard.fixture.ts";
import type { RunState } from "../contract/runs.ts";
import {
  createFakeControl,
  type FakeControl,
  type FakeRoute,
} from "../contract/fakeControl.fixture.ts";

const CLI = join(import.meta.dirname, "..", "cli.ts");
const RUN_ID = "run-20250615T150640Z-1";
const SCENARIO_YAML =
  "name: broker-hard-kill\nsteady: 20s\nsteps:\n  - kill: { target: leader-of:0 }\n";

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as a user runs it: its own process, a clean environment, polling fast. */
function startCli(args: readonly string[], cwd: string) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { BLACKOUT_POLL_MS: "50" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (data: string) => (stdout += data));
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  const exited = new Promise<CliResult>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited, stdout: () => stdout };
}

function running(scorecard: Scorecard, step: number, message: string): RunState {
  return {
    id: RUN_ID,
    status: "running",
    progress: { phase: step === 0 ? "steady" : "steps", step, steps: 2, message },
    scorecard: { ...scorecard, run: { ...scorecard.run, status: "running", endedAt: null } },
  };
}

function ended(scorecard: Scorecard): RunState {
  return {
    id: RUN_ID,
    status: scorecard.run.status,
    progress: { phase: "done", step: 2, steps: 2, message: "finished" },
    scorecard,
  };
}

/** Control accepting the run, then answering GET /api/runs/:id with `states` in turn. */
function runRoute(states: readonly RunState[]): FakeRoute {
  let next = 0;
  return (request) => {
    if (request.method === "POST" && request.path === "/api/runs") {
      return { status: 201, body: { id: RUN_ID, status: "running" } };
    }
    if (request.method === "GET" && request.path === `/api/runs/${RUN_ID}`) {
      const state = states[Math.min(next, states.length - 1)];
      next += 1;
      return { status: 200, body: state };
    }
    return undefined;
  };
}

// Each case starts the CLI as a process (about a second on a busy 2-core machine, several under load).
describe("blackout run", { timeout: 30_000 }, () => {
  let dir = "";
  let control: FakeControl | undefined;
  let scenarioFile = "";

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "blackout-cli-"));
    scenarioFile = join(dir, "broker-hard-kill.yaml");
    await writeFile(scenarioFile, SCENARIO_YAML);
  });
  afterEach(async () => {
    await control?.close();
    control = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("follows a passing run, writes the reports and exits 0", async () => {
    const passing = passingScorecard();
    control = await createFakeControl(
      runRoute([
        running(passing, 0, "steady state for 20 s"),
        running(passing, 0, "steady state for 20 s"),
        running(passing, 1, "kill leader-of:0 (hard)"),
        ended(passing),
      ]),
    );
    const cli = startCli(["run", scenarioFile, "--control", control.url, "--token", "t0k3n"], dir);
    const { code, stdout, stderr } = await cli.exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);

    const start = control.requests[0];
    expect(start).toEqual({
      method: "POST",
      path: "/api/runs",
      authorization: "Bearer t0k3n",
      body: { scenario: SCENARIO_YAML, fileName: "broker-hard-kill.yaml", actor: "cli" },
    });
    // A line per change, not per poll.
    expect(stdout.match(/steady: steady state for 20 s/g)).toHaveLength(1);
    expect(stdout).toMatch(/\] step 1\/2: kill leader-of:0 \(hard\)/);
    expect(stdout).toContain("broker-hard-kill: PASSED: all 4 SLOs hold");
    expect(stdout).toMatch(/clientRecoveryP99 +<= 12\.0 s +9\.4 s +pass/);

    const reportDir = join("blackout-report", "broker-hard-kill-20250615T150640Z");
    expect(stdout).toContain(`report: ${join(reportDir, "report.md")}`);
    expect((await readdir(join(dir, reportDir))).sort()).toEqual([
      "chart-lag.svg",
      "chart-latency.svg",
      "chart-ledger.svg",
      "junit.xml",
      "report.json",
      "report.md",
    ]);
    const json: unknown = JSON.parse(await readFile(join(dir, reportDir, "report.json"), "utf8"));
    expect(scorecardSchema.parse(json)).toEqual(passing);
  });

  it("exits 1 when an SLO is missed, with junit.xml naming it", async () => {
    const failing = failingScorecard();
    control = await createFakeControl(runRoute([running(failing, 1, "kill"), ended(failing)]));
    const report = join(dir, "out");
    const { code, stdout } = await startCli(
      ["run", scenarioFile, "--control", control.url, "--report", report],
      dir,
    ).exited;
    expect(code).toBe(1);
    expect(stdout).toContain("FAILED: 2 of 4 SLOs missed (missing, clientRecoveryP99)");
    expect(stdout).toMatch(/missing +<= 0 records +3 records +FAIL/);
    const junit = await readFile(join(report, "junit.xml"), "utf8");
    expect(junit).toContain('failures="2"');
    expect(junit).toContain('message="SLO missing missed: 3 records, bound 0 records"');
  });

  it("exits 1 on a regression against the baseline, though every SLO held", async () => {
    const baseline = passingScorecard();
    baseline.faults = baseline.faults.map((f) => ({
      ...f,
      report: {
        ...f.report,
        clientRecovery: {
          clients: 20,
          pending: 0,
          neverNoticed: 0,
          p50Ms: 100,
          p99Ms: 2_000,
          maxMs: 2_100,
        },
      },
    }));
    const baselineFile = join(dir, "baseline.json");
    await writeFile(baselineFile, JSON.stringify(baseline));
    control = await createFakeControl(runRoute([ended(passingScorecard())]));
    const { code, stdout } = await startCli(
      [
        "run",
        scenarioFile,
        "--control",
        control.url,
        "--report",
        join(dir, "out"),
        "--baseline",
        baselineFile,
      ],
      dir,
    ).exited;
    expect(code).toBe(1);
    expect(stdout).toContain("PASSED");
    expect(stdout).toContain(
      "baseline: REGRESSION: client recovery p99 (worst fault) rose from 2.0 s to 9.4 s (+370 %), more than the 20 % margin",
    );
  });

  it("exits 2 with control's reasons when it rejects the scenario", async () => {
    const reasons =
      "broker-hard-kill.yaml:4: steps[0].kill.mode: expected graceful or hard\nbroker-hard-kill.yaml:6: slo.missing: expected a number";
    control = await createFakeControl((request) =>
      request.path === "/api/runs" ? { status: 400, body: { error: reasons } } : undefined,
    );
    const { code, stderr } = await startCli(["run", scenarioFile, "--control", control.url], dir)
      .exited;
    expect(code).toBe(2);
    expect(stderr).toBe(`control rejected ${scenarioFile}:\n${reasons}\n`);
    expect(await readdir(dir)).toEqual(["broker-hard-kill.yaml"]);
  });

  it("exits 2 when another run is going", async () => {
    control = await createFakeControl((request) =>
      request.path === "/api/runs"
        ? {
            status: 409,
            body: { error: "run run-1 (consumer-kill) is still going; abort it or wait" },
          }
        : undefined,
    );
    const { code, stderr } = await startCli(["run", scenarioFile, "--control", control.url], dir)
      .exited;
    expect(code).toBe(2);
    expect(stderr).toContain("cannot start: run run-1 (consumer-kill) is still going");
  });

  it("exits 2 when control cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() =>
          resolve(typeof address === "object" && address !== null ? address.port : 0),
        );
      });
    });
    const { code, stderr } = await startCli(
      ["run", scenarioFile, "--control", `http://127.0.0.1:${port}`],
      dir,
    ).exited;
    expect(code).toBe(2);
    expect(stderr).toContain(
      `cannot start the run: cannot reach control at http://127.0.0.1:${port}`,
    );
    expect(stderr).toContain("ECONNREFUSED");
  });

  it("exits 2 on a usage error or an unreadable file", async () => {
    const unknownFlag = await startCli(["run", scenarioFile, "--bogus"], dir).exited;
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--bogus'");
    const missing = await startCli(["run", join(dir, "nope.yaml")], dir).exited;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
    expect(missing.stderr).toContain("ENOENT");
  });

  it("aborts the run on Ctrl-C, waits for it to end, writes the report and exits 1", async () => {
    const aborted = abortedScorecard();
    let abortedYet = false;
    control = await createFakeControl((request) => {
      if (request.method === "POST" && request.path === `/api/runs/${RUN_ID}/abort`) {
        abortedYet = true;
        return { status: 200, body: { aborted: true } };
      }
      if (request.method === "POST" && request.path === "/api/stop") {
        return { status: 200, body: { thawed: [], aborted: [RUN_ID] } };
      }
      if (request.method === "GET" && request.path === `/api/runs/${RUN_ID}`) {
        return {
          status: 200,
          body: abortedYet ? ended(aborted) : running(aborted, 1, "kill leader-of:0 (hard)"),
        };
      }
      return runRoute([])(request);
    });
    const report = join(dir, "out");
    const cli = startCli(["run", scenarioFile, "--control", control.url, "--report", report], dir);
    await expect.poll(cli.stdout, { timeout: 10_000 }).toContain("step 1/2");
    cli.child.kill("SIGINT");
    const { code, stdout, stderr } = await cli.exited;
    expect(code).toBe(1);
    expect(stderr).toContain("aborting the run");
    const paths = control.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain(`POST /api/runs/${RUN_ID}/abort`);
    expect(paths).toContain("POST /api/stop");
    expect(stdout).toContain("ABORTED: abortWhen missing > 0: missing is 3");
    expect(await readFile(join(report, "junit.xml"), "utf8")).toContain('name="abortWhen"');
  });
});
