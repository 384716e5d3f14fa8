import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runTelemetryOutage,
  writeTelemetryOutageResults,
} from "../../../bench/telemetryOutageRun.ts";
import { processesMentioning } from "../support/processes.ts";

// The CI's run of `npm run bench -- telemetry` (issue 18), short: 20 s a phase, 20 clients, results
// in a temp directory. It asserts what must hold whatever the machine's speed: clients kept
// being served while each backend hung, and the services' figures were read in every phase.
let dataDir: string;
let outDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "blackout-telemetry-test-"));
  outDir = await mkdtemp(join(tmpdir(), "blackout-telemetry-results-"));
});

afterAll(async () => {
  // runTelemetryOutage stops its lab; should a failure leave a process behind, it goes here.
  for (const pid of processesMentioning(dataDir)) {
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe("the telemetry backends hanging", () => {
  it(
    "never stops the clients being served, and every phase is measured",
    async () => {
      const results = await runTelemetryOutage({
        phaseS: 20,
        sampleS: 2,
        settleS: 5,
        lab: { CLIENTS: "20" },
        dataDir,
        print: (line) => console.log(line),
      });
      await writeTelemetryOutageResults(outDir, results);

      expect(results.phases.map((p) => [p.name, p.frozen])).toEqual([
        ["every backend up", null],
        ["Jaeger frozen", "jaeger"],
        ["Jaeger back", null],
        ["Prometheus frozen", "prometheus"],
        ["Prometheus back", null],
      ]);
      for (const phase of results.phases) {
        expect(phase.polls, phase.name).toBeGreaterThan(0);
        expect(phase.failedPolls, phase.name).toBe(0);
        expect(phase.latencyP99Ms, phase.name).not.toBeNull();
        // Frozen, not restarted: the phase is one of a backend hanging.
        expect(phase.frozenRestarts, phase.name).toBe(0);
        // A service has a reading once it has had a full collection: some in the first seconds.
        expect(Object.keys(phase.afterGcMib).length, phase.name).toBeGreaterThan(0);
        expect(phase.spanQueueCapacity, phase.name).toBeGreaterThan(0);
      }
      expect(Object.keys(results.phases.at(-1)?.afterGcMib ?? {})).toEqual(
        expect.arrayContaining(["control", "clients"]),
      );
      expect((await readdir(outDir)).sort()).toEqual([
        "telemetry-outage.json",
        "telemetry-outage.md",
      ]);
    },
    10 * 60_000,
  );
});
