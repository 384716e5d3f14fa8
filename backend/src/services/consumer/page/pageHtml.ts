/** What the server tells the page, embedded in the HTML. */
export interface PageConfig {
  readonly pollMs: number;
  readonly stallMs: number;
  /** The consumer that served the page (answers may come from any consumer). */
  readonly consumerId: string;
  /** Control's base URL: the page reports its ledger's summary there; null, it reports nothing. */
  readonly controlUrl: string | null;
}

/** The id of the JSON script element that carries the `PageConfig`. */
export const PAGE_CONFIG_ID = "blackout-config";

/** The page's configuration from its JSON script element, or an error naming the wrong field. */
export function parsePageConfig(json: string): PageConfig {
  const value: unknown = JSON.parse(json);
  if (typeof value !== "object" || value === null) throw new Error("page config: not an object");
  const { pollMs, stallMs, consumerId, controlUrl } = value as Record<string, unknown>;
  for (const [name, ms] of [
    ["pollMs", pollMs],
    ["stallMs", stallMs],
  ] as const) {
    if (typeof ms !== "number" || !(ms > 0) || !Number.isFinite(ms)) {
      throw new Error(`page config: ${name} must be a number of ms greater than 0`);
    }
  }
  if (typeof consumerId !== "string") throw new Error("page config: consumerId must be a string");
  if (controlUrl !== null && typeof controlUrl !== "string") {
    throw new Error("page config: controlUrl must be a string or null");
  }
  return { pollMs: pollMs as number, stallMs: stallMs as number, consumerId, controlUrl };
}

/** The counters the page shows: data-testid, label. */
const COUNTERS = [
  ["missing", "missing"],
  ["duplicates", "duplicates"],
  ["stale", "stale reads"],
  ["failed-polls", "failed polls"],
  ["stalls", "stalls"],
  ["longest-stall", "longest stall"],
  ["current-stall", "since fresh data"],
  ["latency-p50", "latency p50"],
  ["latency-p99", "latency p99"],
  ["fresh-records", "records"],
  ["polls", "polls"],
] as const;

/**
 * The client page: static markup that the script fills in. Every value that changes has a
 * `data-testid`, so that browser tests and people read the same elements. The config travels as
 * JSON in a non-executed script element, escaped so that no value can close the element.
 */
export function renderPageHtml(config: PageConfig, scriptUrl: string): string {
  const counters = COUNTERS.map(
    ([testId, label]) => `<div><dt>${label}</dt><dd data-testid="${testId}">–</dd></div>`,
  ).join("\n        ");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Blackout client · ${escapeHtml(config.consumerId)}</title>
    <style>
      body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #fafbfc; }
      h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
      h2 { font-size: 1rem; margin: 1.5rem 0 .4rem; }
      .status { margin: 0 0 1rem; color: #4a5364; }
      [data-testid="connection"] { font-weight: 600; }
      [data-testid="connection"].live { color: #127a3a; }
      [data-testid="connection"].down { color: #b3261e; }
      .counters { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; margin: 0; }
      .counters div { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: .4rem .6rem; }
      .counters dt { font-size: .8rem; color: #5b6475; }
      .counters dd { margin: 0; font: 600 1.2rem/1.3 ui-monospace, monospace; }
      .alarm { color: #b3261e; }
      table { border-collapse: collapse; margin-top: 1rem; background: #fff; }
      th, td { border: 1px solid #dde1e8; padding: .3rem .6rem; text-align: left; }
      td { font-family: ui-monospace, monospace; white-space: nowrap; }
      td.strip { color: #5b6475; }
      ul { font-family: ui-monospace, monospace; font-size: .85rem; list-style: none; padding: 0; }
    </style>
    <script type="application/json" id="${PAGE_CONFIG_ID}">${jsonForScript(config)}</script>
    <script type="module" src="${escapeHtml(scriptUrl)}"></script>
  </head>
  <body>
    <header>
      <h1>Blackout client</h1>
      <p class="status">
        <span data-testid="connection">connecting</span> ·
        last answer from <span data-testid="consumer">–</span> ·
        page served by ${escapeHtml(config.consumerId)}
      </p>
    </header>
    <main>
      <dl class="counters">
        ${counters}
      </dl>
      <table>
        <thead>
          <tr><th>producer</th><th>highest</th><th>received</th><th>missing</th><th>newest numbers</th></tr>
        </thead>
        <tbody data-testid="producers"></tbody>
      </table>
      <h2>Recent anomalies</h2>
      <ul data-testid="events"></ul>
      <noscript>This page polls the consumers from JavaScript; without it there is nothing to show.</noscript>
    </main>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** JSON that cannot end a script element or start an HTML comment inside it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
