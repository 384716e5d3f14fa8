import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeKafkaNodes } from "../../src/kafka/freeKafkaNodes.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { processesMentioning } from "../support/processes.ts";

// `npm start`'s entry point, as a user runs it: printed progress, Ctrl-C, a second start.
const main = join(import.meta.dirname, "../../src/lab/main.ts");
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "blackout-lab-"));
  const nodes = await freeKafkaNodes();
  // The user's environment, as `npm start` inherits it (PATH finds java), plus the test's own.
  env = {
    ...process.env,
    BLACKOUT_DATA_DIR: dataDir,
    KAFKA_BROKER_PORTS: nodes.map((n) => n.brokerPort).join(","),
    KAFKA_CONTROLLER_PORTS: nodes.map((n) => n.controllerPort).join(","),
    KAFKA_HEAP_MB: "256",
  };
});

afterAll(async () => {
  for (const pid of processesMentioning(dataDir)) process.kill(pid, "SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

interface Run {
  lab: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startLab(): Run {
  const lab = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  lab.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  lab.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => lab.once("exit", resolve));
  return { lab, output: () => output, exited };
}

async function upThenCtrlC(): Promise<string> {
  const run = startLab();
  try {
    await waitFor(() => run.output().includes("Blackout lab is up."), {
      what: "the lab to come up",
      timeoutMs: 120_000,
    });
    expect(processesMentioning(dataDir)).toHaveLength(3);
    run.lab.kill("SIGINT");
    expect(await run.exited).toBe(0);
    return run.output();
  } finally {
    run.lab.kill("SIGKILL");
  }
}

describe("npm start (the local lab)", () => {
  it("prints each node as it comes up, and Ctrl-C stops every JVM", async () => {
    const output = await upThenCtrlC();
    for (const port of env.KAFKA_BROKER_PORTS?.split(",") ?? []) {
      expect(output).toMatch(new RegExp(`kafka-\\d ready on 127\\.0\\.0\\.1:${port}`));
    }
    expect(output).toContain("storage formatted");
    expect(output).toContain("stopped");
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it("starts again on the same data without formatting it", async () => {
    const output = await upThenCtrlC();
    expect(output).not.toContain("storage formatted");
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it("refuses a wrong setting, naming the variable, before starting anything", async () => {
    const lab = spawn(process.execPath, [main], {
      env: { ...env, KAFKA_HEAP_MB: "lots" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    lab.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => lab.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('KAFKA_HEAP_MB: expected a whole number greater than 0, got "lots"');
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
