// `npm run bench` runs the cluster-start benchmark; `npm run bench -- fleet [flags]` the fleet's
// (see fleetScale.ts for its flags); `npm run bench -- failover [flags]` the failover figures
// (failover.ts); `npm run bench -- throughput [flags]` the highest rate carried end to end beside
// Kafka's own perf tools (throughput.ts); `npm run bench -- replay [flags]` how long a new
// consumer takes to rebuild its view of 1 M records (replay.ts); `npm run bench -- telemetry`
// what clients and services see while Jaeger or Prometheus hangs (telemetryOutage.ts). One at a time: each wants the
// machine to itself.
import { handleProcessFailures } from "../backend/src/lib/processFailures.ts";

handleProcessFailures("npm run bench");

const [which = "cluster"] = process.argv.slice(2);
if (which === "cluster") await import("./clusterStart.ts");
else if (which === "fleet") await import("./fleetScale.ts");
else if (which === "failover") await import("./failover.ts");
else if (which === "throughput") await import("./throughput.ts");
else if (which === "replay") await import("./replay.ts");
else if (which === "telemetry") await import("./telemetryOutage.ts");
else {
  process.stderr.write(
    `unknown benchmark "${which}": expected cluster, fleet, failover, throughput, replay or telemetry\n`,
  );
  process.exit(2);
}
