import { useState } from "react";
import type { ConnectionState } from "../createDashboard.ts";
import type { SessionInfo } from "../../../backend/src/contract/topology.ts";
import { formatClock } from "../format.ts";

export interface HeaderProps {
  readonly session: SessionInfo | null;
  readonly connection: ConnectionState;
  readonly lostSince: number | null;
  readonly dryRun: boolean;
  readonly onDryRun: (dryRun: boolean) => void;
  readonly onToken: (token: string) => void;
  readonly onEmergencyStop: () => void;
}

/** Always on screen: who the operator is, whether control is reachable, and the emergency stop. */
export function Header(props: HeaderProps) {
  const { session, connection } = props;
  const [token, setToken] = useState("");
  const viewer = session !== null && !session.operator;
  return (
    <header className="top">
      <h1>Blackout</h1>
      <span
        className={`pill ${connection === "live" ? "ok" : connection === "lost" ? "bad" : "warn"}`}
        data-connection={connection}
      >
        {connection === "live"
          ? "live"
          : connection === "lost"
            ? "reconnecting…"
            : connection === "locked"
              ? "locked"
              : "connecting…"}
      </span>
      {session !== null && <span className="muted">{session.mode} mode</span>}
      {session?.links.grafana !== undefined && (
        <a href={session.links.grafana} target="_blank" rel="noreferrer">
          Grafana
        </a>
      )}
      {session?.links.traces !== undefined && (
        <a href={session.links.traces} target="_blank" rel="noreferrer">
          Traces
        </a>
      )}
      <span className="spacer" />
      {viewer ? (
        <form
          className="token"
          onSubmit={(event) => {
            event.preventDefault();
            props.onToken(token);
          }}
        >
          <span className="pill warn">read-only</span>
          <input
            type="password"
            placeholder="operator token"
            aria-label="operator token"
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
          <button type="submit">Unlock</button>
        </form>
      ) : (
        session !== null && <span className="pill ok">operator</span>
      )}
      <label className="dry-run">
        <input
          type="checkbox"
          checked={props.dryRun}
          onChange={(event) => props.onDryRun(event.target.checked)}
        />{" "}
        dry run
      </label>
      <button
        type="button"
        className="emergency"
        disabled={session?.operator !== true}
        title={
          session?.operator === true
            ? "Abort running scenarios and thaw every frozen target now"
            : "read-only: enter the operator token"
        }
        onClick={props.onEmergencyStop}
      >
        Emergency stop
      </button>
      {connection === "locked" && (
        <div className="banner" role="alert">
          Control shows this lab to its operator only (it listens beyond loopback): enter the
          operator token.
        </div>
      )}
      {connection === "lost" && (
        <div className="banner" role="alert">
          Connection to control lost
          {props.lostSince !== null ? ` at ${formatClock(props.lostSince)}` : ""}; reconnecting by
          itself. What you see is as of then.
        </div>
      )}
    </header>
  );
}
