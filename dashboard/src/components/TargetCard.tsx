import { useState } from "react";
import { formatDuration } from "../../../backend/src/contract/formatDuration.ts";
import type { KillMode, TargetView } from "../../../backend/src/contract/targets.ts";
import { formatCount } from "../format.ts";

export type TargetAction =
  | { readonly action: "kill"; readonly mode: KillMode }
  | { readonly action: "freeze"; readonly seconds: number };

export interface TargetCardProps {
  readonly target: TargetView;
  /** Why the actions are disabled; null when they may be used. */
  readonly blocked: string | null;
  /** Consumers: clients it answered last. */
  readonly clientsServed?: number;
  /** Brokers: partitions it replicates but is out of the ISR of. */
  readonly outOfIsr?: number;
  readonly onAction: (target: TargetView, action: TargetAction) => void;
}

function statusOf(target: TargetView): { text: string; tone: "ok" | "warn" | "bad" } {
  // A crash loop is worse news than one restart: it is named rather than shown as "down".
  if (target.crashLoop !== undefined) return { text: "crash loop", tone: "bad" };
  if (target.status === "stopped") return { text: "down", tone: "bad" };
  if (target.status === "frozen") return { text: "frozen", tone: "warn" };
  return target.ready ? { text: "ready", tone: "ok" } : { text: "not ready", tone: "warn" };
}

/** One broker, producer or consumer: its state, what Kafka says of it, and its fault buttons. */
export function TargetCard({
  target,
  blocked,
  clientsServed,
  outOfIsr,
  onAction,
}: TargetCardProps) {
  const [seconds, setSeconds] = useState(10);
  const status = statusOf(target);
  const disabled = blocked !== null;
  return (
    <article className={`target ${status.tone}`} aria-label={target.name} data-target={target.name}>
      <header>
        <strong>{target.name}</strong>
        <span className={`pill ${status.tone}`}>{status.text}</span>
        {target.controller === true && <span className="pill badge">controller</span>}
      </header>
      <dl>
        {target.kind === "broker" && (
          <>
            <dt>leads</dt>
            <dd>
              {target.leads === undefined || target.leads.length === 0
                ? "no partition"
                : `${target.leads.length} (${target.leads.join(", ")})`}
            </dd>
            <dt>ISR</dt>
            <dd className={outOfIsr ? "bad-text" : ""}>
              {outOfIsr ? `out of ${outOfIsr} partition${outOfIsr > 1 ? "s" : ""}` : "in sync"}
            </dd>
          </>
        )}
        {target.kind === "producer" && (
          <>
            <dt>rate</dt>
            <dd>
              {target.producer === undefined
                ? "—"
                : target.producer.paused
                  ? "paused"
                  : `${target.producer.ratePerSecond}/s`}
            </dd>
            <dt>last number</dt>
            <dd>{formatCount(target.producer?.lastAcknowledged)}</dd>
          </>
        )}
        {target.kind === "consumer" && (
          <>
            <dt>lag</dt>
            <dd>{formatCount(target.lag)}</dd>
            <dt>clients served</dt>
            <dd>{formatCount(clientsServed ?? 0)}</dd>
          </>
        )}
        <dt>restarts</dt>
        <dd>{target.restarts}</dd>
        {target.crashLoop !== undefined && (
          <>
            <dt>crash loop</dt>
            <dd className="bad-text">
              {target.crashLoop.exits} exits in a row, restarts backed off to{" "}
              {formatDuration(target.crashLoop.backoffMs)}
            </dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button
          type="button"
          disabled={disabled}
          title={blocked ?? "SIGTERM / delete the pod"}
          onClick={() => onAction(target, { action: "kill", mode: "graceful" })}
        >
          Kill
        </button>
        <button
          type="button"
          className="danger"
          disabled={disabled}
          title={blocked ?? "SIGKILL / delete with grace period 0"}
          onClick={() => onAction(target, { action: "kill", mode: "hard" })}
        >
          Kill hard
        </button>
        <span className="freeze">
          <button
            type="button"
            disabled={disabled}
            title={blocked ?? "SIGSTOP, SIGCONT after the seconds given"}
            onClick={() => onAction(target, { action: "freeze", seconds })}
          >
            Freeze
          </button>
          <input
            type="number"
            min={1}
            max={600}
            value={seconds}
            aria-label={`freeze ${target.name} for seconds`}
            disabled={disabled}
            onChange={(event) =>
              setSeconds(Math.min(600, Math.max(1, Math.round(Number(event.target.value) || 1))))
            }
          />
          s
        </span>
      </div>
      {blocked !== null && <p className="blocked">{blocked}</p>}
    </article>
  );
}
