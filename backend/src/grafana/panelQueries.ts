import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";

export interface PanelQuery {
  /** The panel's title, or `annotation <name>`. */
  readonly where: string;
  /** The PromQL as Grafana would send it, its variables substituted. */
  readonly expr: string;
}

export interface GrafanaVariables {
  /** `$__rate_interval`: at least four scrape intervals. */
  readonly rateInterval: string;
  /** `$__interval`: the step between points. */
  readonly interval: string;
  /** `$__range`: the dashboard's time range. */
  readonly range: string;
}

/**
 * Every PromQL a dashboard sends, panels and annotations, with Grafana's built-in variables and
 * the dashboard's template variables (as "All": their allValue) substituted, so that Prometheus
 * itself can be asked whether each parses and has data.
 */
export function panelQueries(dashboard: Dashboard, variables: GrafanaVariables): PanelQuery[] {
  const templates = (dashboard.templating?.list ?? []).map((variable) => ({
    name: variable.name,
    value: variable.allValue ?? ".*",
  }));
  const substitute = (expr: string): string => {
    let result = expr
      .replaceAll("$__rate_interval", variables.rateInterval)
      .replaceAll("$__interval", variables.interval)
      .replaceAll("$__range", variables.range);
    for (const { name, value } of templates) result = result.replaceAll(`$${name}`, value);
    return result;
  };
  const panels = (dashboard.panels ?? []).flatMap((panel) =>
    "targets" in panel
      ? (panel.targets ?? []).flatMap((target) => {
          const expr: unknown = (target as { expr?: unknown }).expr;
          return typeof expr === "string"
            ? [{ where: panel.title ?? "untitled panel", expr: substitute(expr) }]
            : [];
        })
      : [],
  );
  const annotations = (dashboard.annotations?.list ?? []).flatMap((annotation) =>
    annotation.expr === undefined
      ? []
      : [{ where: `annotation ${annotation.name}`, expr: substitute(annotation.expr) }],
  );
  return [...panels, ...annotations];
}
