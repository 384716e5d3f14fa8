// `npm run kafka -- <tool> [args]`: Kafka's own tools from the lab's jars (see kafkaTools.ts).
import { spawn } from "node:child_process";
import { commonConfigSchema, loadConfig } from "../lib/config.ts";
import { handleProcessFailures } from "../lib/processFailures.ts";
import { ensureKafkaJars } from "./kafkaJars.ts";
import { kafkaBrokersSetting } from "./kafkaClient.ts";
import { isKafkaTool, KAFKA_TOOLS, kafkaToolArgs } from "./kafkaTools.ts";

handleProcessFailures("npm run kafka");

// KAFKA_BROKERS (the services' own setting) picks another cluster; by default the local lab's.
const config = loadConfig(commonConfigSchema.extend({ KAFKA_BROKERS: kafkaBrokersSetting() }));
const bootstrap = config.KAFKA_BROKERS.join(",");
const [tool, ...args] = process.argv.slice(2);
if (tool === undefined || !isKafkaTool(tool)) {
  const known = Object.keys(KAFKA_TOOLS).join(", ");
  process.stderr.write(
    `usage: npm run kafka -- <tool> [args]\n  tools: ${known}\n` +
      `  example: npm run kafka -- topics --describe --topic blackout.numbers\n` +
      `  --bootstrap-server defaults to KAFKA_BROKERS, else the local lab (${bootstrap})\n`,
  );
  process.exit(2);
}
const jars = await ensureKafkaJars({
  cacheDir: config.BLACKOUT_CACHE_DIR,
  onProgress: (m) => process.stderr.write(`${m}\n`),
});
const child = spawn("java", kafkaToolArgs(jars, tool, args, bootstrap), { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
