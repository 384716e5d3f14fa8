// Resolves the Kafka jars and the brokers' metrics agent ahead of time (npm start, npm test and .ci/run call it through
// scripts/bootstrap.mjs), so that the first broker start is not also a Maven download.
import { commonConfigSchema, loadConfig } from "../lib/config.ts";
import { handleProcessFailures } from "../lib/processFailures.ts";
import { ensureJmxExporterAgent } from "./jmxExporterAgent.ts";
import { ensureKafkaJars } from "./kafkaJars.ts";

handleProcessFailures("kafka jars");

const config = loadConfig(commonConfigSchema);
const jars = await ensureKafkaJars({
  cacheDir: config.BLACKOUT_CACHE_DIR,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(`Kafka ${jars.version} jars: ${jars.libDir}\n`);
const agent = await ensureJmxExporterAgent({
  cacheDir: config.BLACKOUT_CACHE_DIR,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(`the brokers' metrics agent: ${agent}\n`);
