import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mavenCopy } from "../lib/mavenCopy.ts";
import { defaultCacheDir } from "../lib/cacheDir.ts";

/** The Prometheus JMX exporter's java agent: the newest release Maven Central serves here. */
export const JMX_EXPORTER_VERSION = "1.0.1";

/** Which MBeans the brokers expose and under which names (shared by every mode). */
export const JMX_EXPORTER_CONFIG = fileURLToPath(
  new URL("../../../observability/kafka/jmx-exporter.yml", import.meta.url),
);

export interface EnsureJmxExporterOptions {
  /** Where it is kept, outside git. Defaults to ~/.cache/blackout. */
  cacheDir?: string | undefined;
  onProgress?: (message: string) => void;
}

/**
 * The agent jar, fetched from Maven Central once (`mvn dependency:copy`) and reused afterwards.
 * It is a java agent, not a library: kept apart from the brokers' classpath.
 */
export async function ensureJmxExporterAgent(
  options: EnsureJmxExporterOptions = {},
): Promise<string> {
  const home = join(options.cacheDir ?? defaultCacheDir(), `jmx-exporter-${JMX_EXPORTER_VERSION}`);
  const jar = join(home, `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`);
  if (existsSync(jar)) return jar;

  options.onProgress?.(`fetching the JMX exporter ${JMX_EXPORTER_VERSION} with Maven (once)`);
  const staging = `${home}.${process.pid}.tmp`;
  await mkdir(home, { recursive: true });
  await mavenCopy(
    [
      "dependency:copy",
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`,
    ],
    staging,
  );
  await rename(join(staging, `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`), jar);
  await rm(staging, { recursive: true, force: true });
  return jar;
}

/** The JVM flag that serves a broker's metrics at http://host:port/metrics. */
export function jmxExporterFlag(agentJar: string, host: string, port: number): string {
  return `-javaagent:${agentJar}=${host}:${port}:${JMX_EXPORTER_CONFIG}`;
}
