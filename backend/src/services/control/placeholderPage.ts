/**
 * Control's page when the React dashboard is not built: the targets and the fault timeline,
 * refreshed every two seconds from the same API the dashboard and the CLI use. Read-only on
 * purpose: faults are injected with the API (docs/control-api.md) so that this page needs no
 * token handling.
 */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Blackout control</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2rem; color: #1d232a; }
  table { border-collapse: collapse; margin-bottom: 2rem; }
  th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #d5dae0; text-align: left; }
  .ok { color: #137333; } .bad { color: #b3261e; } .muted { color: #6b7580; }
</style>
</head>
<body>
<h1>Blackout control</h1>
<p class="muted">The dashboard is not built yet; this page shows the lab as control sees it.
API: <a href="/api/topology">/api/topology</a>, <a href="/api/faults">/api/faults</a>,
<a href="/api/fleet">/api/fleet</a>, <a href="/metrics">/metrics</a>.</p>
<h2>Targets</h2>
<table><thead><tr><th>name</th><th>kind</th><th>status</th><th>ready</th><th>restarts</th><th>leads</th><th>guard</th></tr></thead>
<tbody id="targets"></tbody></table>
<h2>Faults</h2>
<table><thead><tr><th>id</th><th>target</th><th>action</th><th>actor</th><th>pod</th><th>client p99 / max</th><th>lag</th><th>missing</th><th>dup</th><th>stale</th><th>failed polls</th><th>status</th></tr></thead>
<tbody id="faults"></tbody></table>
<script>
const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; };
const secs = (ms) => ms === null || ms === undefined ? "…" : (ms / 1000).toFixed(1) + " s";
function rows(id, items, render) {
  const body = document.getElementById(id);
  body.replaceChildren(...items.map((item) => { const tr = document.createElement("tr"); tr.append(...render(item)); return tr; }));
}
async function refresh() {
  try {
    const topology = await (await fetch("/api/topology")).json();
    rows("targets", topology.targets, (t) => [cell(t.name), cell(t.kind + (t.controller ? " (controller)" : "")),
      cell(t.status, t.status === "running" ? "ok" : "bad"), cell(t.ready ? "ready" : "not ready", t.ready ? "ok" : "bad"),
      cell(String(t.restarts)), cell(t.leads ? t.leads.join(",") : ""), cell(t.refusal ?? "", "muted")]);
    const { faults } = await (await fetch("/api/faults")).json();
    rows("faults", faults.slice().reverse(), (f) => { const r = f.report, c = r.clientRecovery, t = r.totals;
      return [cell(f.id), cell(f.target), cell(f.action + (f.mode ? " " + f.mode : "") + (f.seconds ? " " + f.seconds + " s" : "")), cell(f.actor),
        cell(secs(r.podRecoveryMs)), cell(c ? secs(c.p99Ms) + " / " + secs(c.maxMs) : "…"), cell(secs(r.lagRecoveryMs)),
        cell(t ? String(t.missing) : "…", t && t.missing > 0 ? "bad" : ""), cell(t ? String(t.duplicates) : "…"),
        cell(t ? String(t.staleReads) : "…"), cell(t ? String(t.failedPolls) : "…"), cell(r.status + (r.timedOut ? " (timed out)" : ""))]; });
  } catch (error) { console.warn("refresh failed", error); }
}
refresh(); setInterval(refresh, 2000);
</script>
</body>
</html>
`;
