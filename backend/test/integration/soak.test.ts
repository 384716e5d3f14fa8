import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSoak, writeSoakResults } from "../../../bench/soakRun.ts";
import { SOAK_DEFAULTS } from "../../../bench/soakSummary.ts";
import { processesMentioning } from "../support/processes.ts";

// The CI's soak (issue 18): what `npm run soak -- --minutes 3 --seed 18 --clients 20` runs, the
// whole lab under a seeded fault every 30 s, with its results in a temp directory, never in
// bench/results/. 20 clients rather than the lab's 200: the checks are the same, and 2 cores are
// shared with the rest of the suite's machine.
const artifactsDir = join(import.meta.dirname, "../../../test-artifacts/soak-logs");
let dataDir: string;
let outDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "blackout-soak-test-"));
  outDir = await mkdtemp(join(tmpdir(), "blackout-soak-results-"));
});

afterAll(async () => {
  // runSoak stops its lab; should a failure leave a broker or a service behind, it goes here.
  for (const pid of processesMentioning(dataDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  await rm(artifactsDir, { recursive: true, force: true });
  await cp(join(dataDir, "logs"), artifactsDir, { recursive: true }).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe("a 3-minute soak", () => {
  it(
    "loses nothing, recovers from every fault and writes its results where it is told",
    async () => {
      const results = await runSoak({
        ...SOAK_DEFAULTS,
        minutes: 3,
        seed: 18,
        lab: { CLIENTS: "20" },
        dataDir,
        print: (line) => console.log(line),
      });
      await writeSoakResults(outDir, results);

      expect(results.checks.filter((check) => !check.ok)).toEqual([]);
      expect(results.attempts).toHaveLength(6);
      expect(results.faults.length).toBeGreaterThan(0);
      // Every service's memory was read, whether or not 3 minutes are enough to judge it.
      expect(results.memory.map((m) => m.service)).toEqual(
        expect.arrayContaining(["supervisor", "kafka-1", "consumer-0", "control", "clients"]),
      );
      expect(Object.values(results.rssSamples).every((readings) => readings.length > 0)).toBe(true);
      // One of each kind lives the whole run, and no fault is aimed at it.
      expect(results.spared).toEqual(["consumer-2", "kafka-3", "producer-1"]);
      expect(
        results.attempts.filter((a) => results.spared.some((t) => a.label.includes(t))),
      ).toEqual([]);
      // What full collections leave alive is read from the Node services' /metrics, and Kafka has none.
      expect(results.afterGcSamples["control"]?.length).toBeGreaterThan(0);
      expect(results.afterGcSamples["kafka-1"]).toBeUndefined();
      expect(results.memory.find((m) => m.service === "control")?.measure).toBe("after GC");
      expect((await readdir(outDir)).sort()).toEqual(["soak.json", "soak.md"]);
      const written = JSON.parse(await readFile(join(outDir, "soak.json"), "utf8")) as {
        settings: { seed: number };
        passed: boolean;
      };
      expect(written).toMatchObject({ settings: { seed: 18 }, passed: true });
    },
    20 * 60_000,
  );
});
