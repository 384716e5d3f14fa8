import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { describe, expect, it } from "vitest";
import { blackoutDashboards } from "./blackoutDashboards.ts";
import { DASHBOARDS_DIR, dashboardFiles } from "./dashboardFiles.ts";
import { panelQueries } from "./panelQueries.ts";

const variables = { rateInterval: "20s", interval: "5s", range: "30m" };

describe("the Grafana dashboards", () => {
  it("are committed exactly as the code generates them (npm run dashboards)", () => {
    const files = dashboardFiles();
    expect(readdirSync(DASHBOARDS_DIR).sort()).toEqual(Object.keys(files).sort());
    for (const [file, json] of Object.entries(files)) {
      expect(
        readFileSync(join(DASHBOARDS_DIR, file), "utf8"),
        `${file}: run npm run dashboards`,
      ).toBe(json);
    }
  });

  it("give every panel a title and a description, and read only the provisioned Prometheus", () => {
    for (const dashboard of Object.values(blackoutDashboards())) {
      const panels = (dashboard.panels ?? []).filter(
        (panel): panel is Panel => panel.type !== "row",
      );
      expect(panels.length).toBeGreaterThan(8);
      for (const panel of panels) {
        expect(panel.title, dashboard.title).toBeTruthy();
        expect(panel.description?.length ?? 0, `${panel.title ?? ""}: description`).toBeGreaterThan(
          30,
        );
        expect(panel.datasource).toEqual({ type: "prometheus", uid: "blackout-prometheus" });
      }
    }
  });

  it("show faults as regions from control's open-fault series, and use their template variables", () => {
    const { "blackout-failover.json": failover, "blackout-kafka.json": kafka } =
      blackoutDashboards();
    for (const dashboard of [failover, kafka]) {
      const [faults, reports] = dashboard?.annotations?.list ?? [];
      expect(faults?.expr).toContain("blackout_control_open_fault_start_timestamp_seconds");
      expect(faults?.tagKeys).toBe("kind,target,fault_id");
      // And the regions control writes through Grafana's API, found by their tag.
      expect(reports?.datasource).toEqual({ type: "grafana", uid: "-- Grafana --" });
      expect(JSON.parse(JSON.stringify(reports?.target))).toEqual({
        type: "tags",
        tags: ["blackout"],
        limit: 500,
        matchAny: false,
      });
    }
    const exprs = (dashboard: typeof failover) =>
      JSON.stringify(dashboard?.panels ?? []).match(/\$\w+/g) ?? [];
    expect(exprs(failover)).toContain("$consumer");
    expect(exprs(kafka)).toContain("$broker");
  });

  it("list every query with Grafana's variables substituted, for Prometheus to check", () => {
    const queries = Object.values(blackoutDashboards()).flatMap((d) => panelQueries(d, variables));
    expect(queries.length).toBeGreaterThan(25);
    for (const { where, expr } of queries) expect(expr, where).not.toMatch(/\$/);
    expect(queries).toContainEqual({
      where: "Polls by result",
      expr: "sum by (result) (rate(blackout_client_polls_total[20s]))",
    });
    expect(queries).toContainEqual({
      where: "Consumer lag in seconds",
      expr: 'max by (instance) (blackout_consumer_lag_seconds{instance=~".*"})',
    });
    expect(queries.filter((q) => q.where === "annotation Faults")).toHaveLength(2);
  });
});
