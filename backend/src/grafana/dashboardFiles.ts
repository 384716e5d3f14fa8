import { fileURLToPath } from "node:url";
import { blackoutDashboards } from "./blackoutDashboards.ts";

/** Where the generated dashboards are committed, for Grafana's file provisioning. */
export const DASHBOARDS_DIR = fileURLToPath(
  new URL("../../../observability/grafana/dashboards", import.meta.url),
);

/** Each dashboard's file name and its exact content (2-space JSON, final newline). */
export function dashboardFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(blackoutDashboards()).map(([file, dashboard]) => [
      file,
      `${JSON.stringify(dashboard, null, 2)}\n`,
    ]),
  );
}
