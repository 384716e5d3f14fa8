// `npm run dashboards`: writes the Grafana dashboards (blackoutDashboards.ts) as the JSON that
// Grafana's file provisioning reads from observability/grafana/dashboards/.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { handleProcessFailures } from "../lib/processFailures.ts";
import { DASHBOARDS_DIR, dashboardFiles } from "./dashboardFiles.ts";

handleProcessFailures("dashboards");

await mkdir(DASHBOARDS_DIR, { recursive: true });
for (const [file, json] of Object.entries(dashboardFiles())) {
  await writeFile(join(DASHBOARDS_DIR, file), json);
  process.stdout.write(`wrote observability/grafana/dashboards/${file}\n`);
}
