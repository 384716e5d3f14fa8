import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { defaultCacheDir } from "../lib/cacheDir.ts";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mavenCopy } from "../lib/mavenCopy.ts";

/**
 * The Kafka line Blackout runs. 4.x is the newest line against which kafkajs 2.2.4 passes
 * our integration tests (see docs/kafka.md, "Kafka version").
 */
export const KAFKA_VERSION = "4.4.0";

/** What to tell someone whose machine has no `java`. Kafka 4.x needs Java 17 or newer. */
export const JAVA_MISSING_HINT = "install a Java 17 runtime (Debian: openjdk-17-jre-headless)";

const pomPath = resolve(dirname(fileURLToPath(import.meta.url)), "../../kafka/pom.xml");

export interface KafkaJars {
  version: string;
  libDir: string;
  /** A `java -cp` value: every jar of the broker and its tools. */
  classpath: string;
}

export interface EnsureKafkaJarsOptions {
  version?: string;
  /** Where resolved jars live, outside git. Defaults to ~/.cache/blackout. */
  cacheDir?: string | undefined;
  onProgress?: (message: string) => void;
}

/**
 * Resolves the broker jars from Maven Central once and reuses them afterwards. A marker file
 * written after a complete copy makes an interrupted resolution retry instead of starting a
 * broker with half its classpath.
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<KafkaJars> {
  const version = options.version ?? KAFKA_VERSION;
  const home = join(options.cacheDir ?? defaultCacheDir(), `kafka-${version}`);
  const libDir = join(home, "libs");
  const marker = join(home, "complete");
  const jars: KafkaJars = { version, libDir, classpath: join(libDir, "*") };
  if (existsSync(marker)) return jars;

  options.onProgress?.(`resolving Kafka ${version} jars with Maven into ${libDir} (once)`);
  const staging = `${libDir}.${process.pid}.tmp`;
  await mkdir(home, { recursive: true });
  await mavenCopy(
    ["-f", pomPath, `-Dkafka.version=${version}`, "dependency:copy-dependencies"],
    staging,
  );
  const copied = await readdir(staging);
  if (!copied.some((name) => name.startsWith(`kafka_2.13-${version}`))) {
    throw new Error(`Maven finished but ${staging} holds no kafka_2.13-${version} jar`);
  }
  await rm(libDir, { recursive: true, force: true });
  await rename(staging, libDir);
  await writeFile(marker, `${new Date().toISOString()}\n`);
  options.onProgress?.(`Kafka ${version}: ${copied.length} jars cached`);
  return jars;
}
