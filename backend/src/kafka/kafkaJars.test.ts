import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureKafkaJars, KAFKA_VERSION } from "./kafkaJars.ts";

let cacheDir: string | undefined;
afterEach(async () => {
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

describe("ensureKafkaJars", () => {
  it("reuses a completed cache without running Maven", async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "blackout-jars-"));
    const home = join(cacheDir, "kafka-9.9.9");
    await mkdir(join(home, "libs"), { recursive: true });
    await writeFile(join(home, "complete"), "done\n");
    const progress: string[] = [];
    const jars = await ensureKafkaJars({
      cacheDir,
      version: "9.9.9",
      onProgress: (m) => progress.push(m),
    });
    expect(jars).toEqual({
      version: "9.9.9",
      libDir: join(home, "libs"),
      classpath: join(home, "libs", "*"),
    });
    expect(progress).toEqual([]);
  });

  it("pins one Kafka line", () => {
    expect(KAFKA_VERSION).toMatch(/^4\.\d+\.\d+$/);
  });
});
