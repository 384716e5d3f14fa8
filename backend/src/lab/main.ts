// `npm start`: the local lab. Wiring only; see localLab.ts.
import { ConfigError, loadConfig } from "../lib/config.ts";
import { labConfigSchema, type LabConfig } from "./labConfig.ts";
import { createLocalLab } from "./localLab.ts";

function configOrExit(): LabConfig {
  try {
    return loadConfig(labConfigSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const lab = createLocalLab(configOrExit(), {
  fresh: process.argv.includes("--fresh"),
  print: (line) => process.stdout.write(`${line}\n`),
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  lab.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  await lab.start();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await lab.stop();
  process.exit(1);
}
