// `npm start`: the local lab. Wiring only; see localLab.ts.
import { ConfigError, environmentWith, loadConfig } from "../lib/config.ts";
import { describeError, handleProcessFailures } from "../lib/processFailures.ts";
import { flagsToEnv, labConfigSchema, type LabConfig } from "./labConfig.ts";
import { createLocalLab } from "./localLab.ts";

handleProcessFailures("npm start");

const flags = flagsToEnv(process.argv.slice(2));

function configOrExit(): LabConfig {
  if (flags.unknown.length > 0) {
    process.stderr.write(
      `unknown flag ${flags.unknown.join(", ")}: flags are --fresh, --kafka-only, --tuned and the settings in lowercase (--clients 50, --consumers 3, …); see docs/services.md\n`,
    );
    process.exit(2);
  }
  try {
    return loadConfig(labConfigSchema, environmentWith(flags.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const lab = createLocalLab(configOrExit(), {
  fresh: flags.fresh,
  kafkaOnly: flags.kafkaOnly,
  print: (line) => process.stdout.write(`${line}\n`),
  nodeBin: process.execPath,
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
  process.stderr.write(`${describeError(error)}\n`);
  await lab.stop();
  process.exit(1);
}
