import { useState } from "react";
import type { RunState } from "../../../backend/src/contract/runs.ts";
import type { SessionInfo } from "../../../backend/src/contract/topology.ts";
import type { ScenarioFile } from "../../../backend/src/contract/scenarioFile.ts";
import { formatDuration } from "../../../backend/src/contract/formatDuration.ts";
import { UNKNOWN } from "../format.ts";

export interface ScenarioPanelProps {
  readonly scenarios: readonly ScenarioFile[];
  readonly run: RunState | null;
  readonly session: SessionInfo | null;
  readonly reportUrl: (runId: string, file: string) => string;
  readonly onStart: (scenario: ScenarioFile) => void;
  readonly onAbort: (runId: string) => void;
}

const REPORTS = ["report.json", "report.md", "junit.xml"] as const;

function bound(value: number | null, unit: string): string {
  if (value === null) return UNKNOWN;
  return unit === "ms" ? formatDuration(value) : `${value} ${unit}`;
}

/** Pick a scenario, run it, follow its progress and read its scorecard: the CLI's run, here. */
export function ScenarioPanel({
  scenarios,
  run,
  session,
  reportUrl,
  onStart,
  onAbort,
}: ScenarioPanelProps) {
  const [chosen, setChosen] = useState<string>("");
  const scenario = scenarios.find((s) => s.fileName === chosen) ?? scenarios[0];
  const running = run?.status === "running";
  const blocked =
    session?.operator !== true
      ? "read-only: enter the operator token to run scenarios"
      : running
        ? "a run is going: one at a time"
        : scenario?.error;
  const progress = run?.progress;
  const percent =
    progress === undefined || progress.steps === 0
      ? 0
      : Math.round(
          (100 * (progress.phase === "done" ? progress.steps : Math.max(0, progress.step - 1))) /
            progress.steps,
        );
  return (
    <section className="panel scenarios" aria-label="scenarios">
      <h2>Scenarios</h2>
      <div className="scenario-pick">
        <select
          aria-label="scenario"
          value={scenario?.fileName ?? ""}
          onChange={(event) => setChosen(event.target.value)}
        >
          {scenarios.map((s) => (
            <option key={s.fileName} value={s.fileName}>
              {s.name} ({s.fileName})
            </option>
          ))}
        </select>
        <button
          type="button"
          className="primary"
          disabled={scenario === undefined || blocked !== undefined}
          title={blocked}
          onClick={() => scenario && onStart(scenario)}
        >
          Run
        </button>
      </div>
      {scenario !== undefined && (
        <p className={scenario.error === undefined ? "muted" : "bad-text"}>
          {scenario.error ?? scenario.description}
        </p>
      )}
      {run !== null && (
        <div className="run" data-run-id={run.id} data-run-status={run.status}>
          <h3>
            {run.scorecard.run.scenario}{" "}
            <span
              className={`pill ${run.status === "passed" ? "ok" : run.status === "running" ? "warn" : "bad"}`}
            >
              {run.status}
            </span>
          </h3>
          <div
            className="progress"
            role="progressbar"
            aria-valuenow={percent}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div style={{ width: `${percent}%` }} />
          </div>
          <p className="muted">
            {run.progress.phase} · step {run.progress.step} of {run.progress.steps} ·{" "}
            {run.progress.message}
          </p>
          {running && (
            <button
              type="button"
              className="danger"
              disabled={session?.operator !== true}
              onClick={() => onAbort(run.id)}
            >
              Abort run
            </button>
          )}
          {run.scorecard.slos.length > 0 && (
            <table className="slos">
              <thead>
                <tr>
                  <th>SLO</th>
                  <th>bound</th>
                  <th>actual</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                {run.scorecard.slos.map((slo) => (
                  <tr key={slo.name}>
                    <td>{slo.name}</td>
                    <td>≤ {bound(slo.bound, slo.unit)}</td>
                    <td>{bound(slo.actual, slo.unit)}</td>
                    <td className={slo.passed ? "ok-text" : "bad-text"}>
                      {slo.passed ? "pass" : "FAIL"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {!running && (
            <p className="downloads">
              Reports:{" "}
              {REPORTS.map((file) => (
                <a key={file} href={reportUrl(run.id, file)} download={`${run.id}-${file}`}>
                  {file}
                </a>
              ))}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
