import { afterEach, describe, expect, it } from "vitest";
import { passingScorecard } from "../chaos/reports/scorecard.fixture.ts";
import { cliMain } from "./cliMain.ts";
import type { CliIo } from "./cliIo.ts";
import { createFakeControl, type FakeControl } from "../contract/fakeControl.fixture.ts";

/** Runs a command in this process, capturing what it prints. */
async function blackout(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    tty: false,
    columns: 80,
    onInterrupt: () => undefined,
    now: Date.now,
  };
  const code = await cliMain(argv, io);
  return { code, stdout, stderr };
}

const targets = [
  {
    name: "kafka-1",
    kind: "broker",
    status: "running",
    ready: true,
    chaos: true,
    restarts: 0,
    nodeId: 1,
    leads: [0, 2],
    controller: true,
    refusal: null,
  },
  {
    name: "kafka-2",
    kind: "broker",
    status: "stopped",
    ready: false,
    chaos: true,
    restarts: 1,
    nodeId: 2,
    leads: [],
    controller: false,
    refusal: "kafka-2 is stopped",
  },
  {
    name: "consumer-0",
    kind: "consumer",
    status: "running",
    ready: true,
    chaos: true,
    restarts: 0,
    refusal: null,
  },
];

describe("the blackout command", () => {
  let control: FakeControl | undefined;
  afterEach(async () => {
    await control?.close();
    control = undefined;
  });

  it("prints its usage, and exits 2 without a command or with an unknown one", async () => {
    const help = await blackout("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: blackout <command> [options]");
    expect((await blackout()).code).toBe(2);
    const unknown = await blackout("explode");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "explode"');
    const runHelp = await blackout("run", "--help");
    expect(runHelp.stdout).toContain("usage: blackout run <scenario.yaml> [options]");
  });

  it("kill: prints the fault, sending the mode and the token", async () => {
    const [fault] = passingScorecard().faults;
    control = await createFakeControl((request) =>
      request.path === "/api/faults"
        ? { status: 201, body: { ...fault, actor: "api" } }
        : undefined,
    );
    const { code, stdout } = await blackout(
      "kill",
      "leader-of:0",
      "--mode",
      "hard",
      "--control",
      control.url,
      "--token",
      "s3cret",
    );
    expect(code).toBe(0);
    expect(control.requests[0]).toMatchObject({
      authorization: "Bearer s3cret",
      body: { action: "kill", target: "leader-of:0", mode: "hard", dryRun: false, force: false },
    });
    expect(stdout).toContain(
      "killed kafka-2 (broker, hard) at 2025-06-15 15:07:00Z for leader-of:0; it led partitions 0, 2",
    );
    expect(stdout).toContain(`fault ${fault?.id ?? ""}`);
  });

  it("kill --dry-run: prints the plan", async () => {
    control = await createFakeControl(() => ({
      status: 200,
      body: {
        dryRun: true,
        plan: {
          action: "kill",
          victim: "kafka-1",
          kind: "broker",
          mode: "graceful",
          leadersMoving: [0, 2],
        },
      },
    }));
    const { code, stdout } = await blackout(
      "kill",
      "most-leaders",
      "--dry-run",
      "--force",
      "--control",
      control.url,
    );
    expect(code).toBe(0);
    expect(control.requests[0]?.body).toEqual({
      action: "kill",
      target: "most-leaders",
      dryRun: true,
      force: true,
    });
    expect(stdout).toBe(
      "dry run: would kill kafka-1 (broker, graceful); partition leaders moving: 0, 2\n",
    );
  });

  it("kill: exits 2 with control's reason when it refuses, and on a bad mode", async () => {
    control = await createFakeControl(() => ({
      status: 409,
      body: {
        error:
          "killing consumer-0 would leave 0 ready consumers (MIN_ALIVE 1); force to do it anyway",
      },
    }));
    const refused = await blackout("kill", "consumer-0", "--control", control.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "control answered 409: killing consumer-0 would leave 0 ready consumers (MIN_ALIVE 1); force to do it anyway\n",
    );
    const badMode = await blackout(
      "kill",
      "consumer-0",
      "--mode",
      "brutal",
      "--control",
      control.url,
    );
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('--mode must be hard or graceful, got "brutal"');
    expect(control.requests).toHaveLength(1);
  });

  it("faults: the timeline as a table", async () => {
    const { faults } = passingScorecard();
    control = await createFakeControl((request) =>
      request.path === "/api/faults" ? { status: 200, body: { faults } } : undefined,
    );
    const { code, stdout } = await blackout("faults", "--control", control.url);
    expect(code).toBe(0);
    const [header, , row] = stdout.split("\n");
    expect(header).toMatch(
      /^t0 +target +fault +actor +pod +client p50 \/ p99 \/ max +lag +missing +dup +stale +failed +report$/,
    );
    expect(row).toMatch(
      /^2025-06-15 15:07:00Z +kafka-2 +kill \(hard\) +scenario:\S+ +17\.6 s +950 ms \/ 9\.4 s \/ 9\.8 s +24\.7 s +0 +0 +374 +12 +complete$/,
    );
  });

  it("status: targets with Kafka's facts and refusals, and the latest run", async () => {
    const scorecard = passingScorecard();
    const older = { id: "run-0", scenario: "consumer-hard-kill", status: "failed", startedAt: 1 };
    const latest = {
      id: scorecard.run.id,
      scenario: scorecard.run.scenario,
      status: "passed",
      startedAt: scorecard.run.startedAt,
    };
    control = await createFakeControl((request) => {
      if (request.path === "/api/targets") return { status: 200, body: targets };
      if (request.path === "/api/runs") return { status: 200, body: { runs: [latest, older] } };
      if (request.path === `/api/runs/${scorecard.run.id}`) {
        const progress = { phase: "done", step: 2, steps: 2, message: "4/4 SLOs hold" };
        return { status: 200, body: { id: latest.id, status: "passed", progress, scorecard } };
      }
      return undefined;
    });
    const { code, stdout } = await blackout("status", "--control", control.url);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^name +kind +status +ready +restarts +kafka +refusal$/);
    expect(lines[2]).toMatch(/^kafka-1 +broker +running +yes +0 +controller, leads 0, 2$/);
    expect(lines[3]).toMatch(/^kafka-2 +broker +stopped +no +1 +leads none +kafka-2 is stopped$/);
    expect(lines[4]).toMatch(/^consumer-0 +consumer +running +yes +0$/);
    expect(stdout).toContain(
      "latest run: run-20250615T150640Z-1 broker-hard-kill passed, started 2025-06-15 15:06:40Z: 4/4 SLOs hold",
    );
  });

  it("status: says when no run was made yet", async () => {
    control = await createFakeControl((request) => {
      if (request.path === "/api/targets") return { status: 200, body: targets };
      if (request.path === "/api/runs") return { status: 200, body: { runs: [] } };
      return undefined;
    });
    const { code, stdout } = await blackout("status", "--control", control.url);
    expect(code).toBe(0);
    expect(stdout).toContain("latest run: none yet");
  });
});
