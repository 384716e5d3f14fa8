// Started by parentDeath.test.ts: a launcher whose parent process is about to be SIGKILLed.
import { kafkaNodes } from "../../src/kafka/brokerProperties.ts";
import { ensureKafkaJars } from "../../src/kafka/kafkaJars.ts";
import { createLocalCluster } from "../../src/kafka/localCluster.ts";

const [dir, ...ports] = process.argv.slice(2);
const numbers = ports.map(Number);
const nodes = kafkaNodes(numbers.slice(0, 3), numbers.slice(3));
const jars = await ensureKafkaJars();
const cluster = createLocalCluster({
  dir: dir ?? "",
  jars,
  nodes,
  heapMb: 256,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
await cluster.start();
