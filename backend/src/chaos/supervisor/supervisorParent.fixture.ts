// Started by localSupervisor.test.ts: a supervisor with one child, in a process that the test
// SIGKILLs once it has printed the child's pid (no exit handler runs then).
import { join } from "node:path";
import { createLocalSupervisor } from "./localSupervisor.ts";

const [port, logDir] = process.argv.slice(2);
const supervisor = createLocalSupervisor({ restartDelayMs: 200, readyPollMs: 50 });
supervisor.add({
  name: "consumer-0",
  kind: "consumer",
  chaos: true,
  command: process.execPath,
  args: [join(import.meta.dirname, "supervisedChild.fixture.ts")],
  env: { PORT: port ?? "" },
  logFile: join(logDir ?? "", "consumer-0.log"),
  ready: async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok,
});
await supervisor.start(["consumer-0"], { timeoutMs: 20_000 });
process.stdout.write(`${supervisor.targets()[0]?.pid}\n`);
