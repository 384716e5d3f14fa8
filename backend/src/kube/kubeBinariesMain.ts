// Builds the test control plane's binaries ahead of time when missing (npm test and .ci/run call
// it through scripts/bootstrap.mjs), so that the Kubernetes tests find them and start at once.
import { dirname } from "node:path";
import { commonConfigSchema, loadConfig } from "../lib/config.ts";
import { handleProcessFailures } from "../lib/processFailures.ts";
import { ensureKubeBinaries } from "./kubeBinaries.ts";

handleProcessFailures("kubernetes binaries");

const config = loadConfig(commonConfigSchema);
const binaries = await ensureKubeBinaries({
  cacheDir: config.BLACKOUT_CACHE_DIR,
  onProgress: (message) => process.stdout.write(`${message}\n`),
});
process.stdout.write(
  `Kubernetes ${binaries.kubernetesVersion}, etcd ${binaries.etcdVersion}, kwok ${binaries.kwokVersion}: ${dirname(binaries.kubeApiserver)}\n`,
);
