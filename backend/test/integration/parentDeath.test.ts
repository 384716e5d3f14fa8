import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { waitFor } from "../../src/lib/waitFor.ts";
import { freeKafkaNodes } from "../../src/kafka/freeKafkaNodes.ts";
import { processesMentioning } from "../support/processes.ts";

const fixture = join(import.meta.dirname, "parentDeath.fixture.ts");

it("brokers do not outlive a launcher that is SIGKILLed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "blackout-orphan-"));
  const nodes = await freeKafkaNodes();
  const ports = [...nodes.map((n) => n.brokerPort), ...nodes.map((n) => n.controllerPort)];
  const launcher = spawn(process.execPath, [fixture, dir, ...ports.map(String)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  launcher.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // The launcher's own command line names the directory too (so do the storage-format runs
  // before the brokers start): only processes other than the launcher are the brokers.
  const brokers = () => processesMentioning(dir).filter((pid) => pid !== launcher.pid);
  try {
    // Kill the parent once its cluster is up, before it could clean up in any way.
    // Generous: on 2 cores the whole suite's other processes may still be winding down.
    await waitFor(() => output.includes("Kafka cluster ready"), {
      what: `the cluster under ${dir} to be ready`,
      timeoutMs: 150_000,
      intervalMs: 100,
    }).catch((error: unknown) => {
      // What the launcher printed by then, not when the wait began.
      throw new Error(`${String(error)}; the launcher said:\n${output}`);
    });
    expect(brokers()).toHaveLength(3);
    launcher.kill("SIGKILL");
    await waitFor(() => processesMentioning(dir).length === 0, {
      what: "the orphaned JVMs to die",
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  } finally {
    launcher.kill("SIGKILL");
    for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
  expect(processesMentioning(dir)).toEqual([]);
});
