// Builds Jaeger ahead of time when missing (npm start, npm test and .ci/run call it through
// scripts/bootstrap.mjs), so that the lab and the tests find a trace backend ready.
import { commonConfigSchema, loadConfig } from "../lib/config.ts";
import { handleProcessFailures } from "../lib/processFailures.ts";
import { ensureJaeger } from "./jaegerBinary.ts";

handleProcessFailures("jaeger");

const config = loadConfig(commonConfigSchema);
const jaeger = await ensureJaeger({
  cacheDir: config.BLACKOUT_CACHE_DIR,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(`Jaeger ${jaeger.version}: ${jaeger.path}\n`);
