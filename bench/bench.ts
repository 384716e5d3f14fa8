// `npm run bench` runs the cluster-start benchmark; `npm run bench -- fleet [flags]` the fleet's
// (see fleetScale.ts for its flags); `npm run bench -- failover [flags]` the failover figures
// (failover.ts). One at a time: each wants the machine to itself.
import { handleProcessFailures } from "../backend/src/lib/processFailures.ts";

handleProcessFailures("npm run bench");

const [which = "cluster"] = process.argv.slice(2);
if (which === "cluster") await import("./clusterStart.ts");
else if (which === "fleet") await import("./fleetScale.ts");
else if (which === "failover") await import("./failover.ts");
else {
  process.stderr.write(`unknown benchmark "${which}": expected cluster, fleet or failover\n`);
  process.exit(2);
}
