// Started by parentDeath.test.ts: a launcher whose parent process is about to be SIGKILLed.
import { ensureKafkaJars } from "../../src/kafka/kafkaJars.ts";
import { createLocalCluster } from "../../src/kafka/localCluster.ts";

const [dir, ...ports] = process.argv.slice(2);
const nodes = [1, 2, 3].map((id, i) => ({
  id,
  brokerPort: Number(ports[i * 2]),
  controllerPort: Number(ports[i * 2 + 1]),
}));
const jars = await ensureKafkaJars();
const cluster = createLocalCluster({
  dir: dir ?? "",
  jars,
  nodes,
  heapMb: 256,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
await cluster.start();
