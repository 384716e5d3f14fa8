// `npm run kafka -- <tool> [args]`: Kafka's own tools from the lab's jars (see kafkaTools.ts).
import { spawn } from "node:child_process";
import { DEFAULT_KAFKA_NODES } from "./brokerProperties.ts";
import { ensureKafkaJars } from "./kafkaJars.ts";
import { isKafkaTool, KAFKA_TOOLS, kafkaToolArgs } from "./kafkaTools.ts";

const bootstrap = `127.0.0.1:${DEFAULT_KAFKA_NODES[0]?.brokerPort}`;
const [tool, ...args] = process.argv.slice(2);
if (tool === undefined || !isKafkaTool(tool)) {
  const known = Object.keys(KAFKA_TOOLS).join(", ");
  process.stderr.write(
    `usage: npm run kafka -- <tool> [args]\n  tools: ${known}\n` +
      `  example: npm run kafka -- topics --describe --topic blackout.numbers\n` +
      `  --bootstrap-server defaults to the local lab (${bootstrap})\n`,
  );
  process.exit(2);
}
const jars = await ensureKafkaJars({ onProgress: (m) => process.stderr.write(`${m}\n`) });
const child = spawn("java", kafkaToolArgs(jars, tool, args, bootstrap), { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
