import { faultActionOf, type Fault } from "../../../backend/src/contract/fault.ts";
import { formatDuration } from "../../../backend/src/contract/formatDuration.ts";
import { UNKNOWN, formatClock, formatCount } from "../format.ts";

export interface FaultTableProps {
  readonly faults: readonly Fault[];
  readonly selected: string | null;
  readonly onSelect: (fault: Fault) => void;
  /** The trace backend (control's TRACES_URL), when there is one: each fault links to its traces. */
  readonly tracesUrl?: string | undefined;
}

/**
 * Jaeger's HTTP query API for the traces control made of this fault (its injection and its
 * recovery), found by `blackout.fault.id`: the API, not the UI, because the lab's Jaeger is built
 * without its UI and the API answers in both.
 */
export function faultTracesUrl(tracesUrl: string, faultId: string): string {
  const query = new URLSearchParams({
    service: "control",
    tags: JSON.stringify({ "blackout.fault.id": faultId }),
  });
  return `${tracesUrl.replace(/\/+$/, "")}/api/traces?${query.toString()}`;
}

/** Every fault, newest first, with its three recovery times and the ledger totals of its window. */
export function FaultTable({ faults, selected, onSelect, tracesUrl }: FaultTableProps) {
  const newestFirst = faults.toReversed();
  return (
    <section className="panel" aria-label="faults">
      <h2>Faults</h2>
      {faults.length === 0 ? (
        <p className="muted">No fault yet: kill something above, or run a scenario.</p>
      ) : (
        <div className="table-scroll">
          <table className="faults">
            <thead>
              <tr>
                <th>t0</th>
                <th>id</th>
                <th>target</th>
                <th>fault</th>
                <th>by</th>
                <th title="t0 → target ready again: what Kubernetes sees">pod</th>
                <th title="t0 → last client recovered: what users see">client p50 / p99 / max</th>
                <th title="t0 → consumer lag back to steady state: what Kafka sees">lag</th>
                <th title="the floor Kafka sets for this fault, from the brokers' and consumers' settings: no recovery can be faster">
                  floor
                </th>
                <th>missing</th>
                <th>dup</th>
                <th>stale</th>
                <th>failed polls</th>
                <th title="numbers clients skipped because they fell behind the consumers' view window: overload, not the fault">
                  behind
                </th>
                <th>status</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((fault) => {
                const { report } = fault;
                const client = report.clientRecovery;
                const totals = report.totals;
                return (
                  <tr
                    key={fault.id}
                    data-fault-id={fault.id}
                    className={fault.id === selected ? "selected" : ""}
                    onClick={() => onSelect(fault)}
                    title="show this fault on the charts"
                  >
                    <td>{formatClock(fault.t0)}</td>
                    <td className="mono">
                      {fault.id}
                      {tracesUrl !== undefined && (
                        <>
                          {" "}
                          <a
                            className="traces-link"
                            href={faultTracesUrl(tracesUrl, fault.id)}
                            target="_blank"
                            rel="noreferrer"
                            title="this fault's traces in the trace backend (JSON)"
                            onClick={(event) => event.stopPropagation()}
                          >
                            traces
                          </a>
                        </>
                      )}
                    </td>
                    <td>{fault.target}</td>
                    <td>{faultActionOf(fault)}</td>
                    <td>{fault.actor}</td>
                    <td className="pod-recovery">
                      {formatDuration(report.podRecoveryMs, UNKNOWN)}
                    </td>
                    <td className="client-recovery">
                      {client === null
                        ? UNKNOWN
                        : `${formatDuration(client.p50Ms, UNKNOWN)} / ${formatDuration(client.p99Ms, UNKNOWN)} / ${formatDuration(client.maxMs, UNKNOWN)}`}
                      {client !== null && client.pending > 0 && (
                        <small> ({client.pending} pending)</small>
                      )}
                    </td>
                    <td className="lag-recovery">
                      {formatDuration(report.lagRecoveryMs, UNKNOWN)}
                    </td>
                    <td className="floor" title={fault.floor?.because}>
                      {formatDuration(fault.floor?.ms, UNKNOWN)}
                    </td>
                    <td className={totals !== null && totals.missing > 0 ? "bad-text" : ""}>
                      {formatCount(totals?.missing)}
                    </td>
                    <td>{formatCount(totals?.duplicates)}</td>
                    <td>{formatCount(totals?.staleReads)}</td>
                    <td>{formatCount(totals?.failedPolls)}</td>
                    <td className="fell-behind">{formatCount(totals?.fellBehind)}</td>
                    <td className="status">
                      {report.status === "open"
                        ? "recovering"
                        : report.timedOut
                          ? "timed out"
                          : "complete"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
