import type { ClientEvent } from "../../../backend/src/contract/fleet.ts";
import { formatClock } from "../format.ts";

function detail(event: ClientEvent): string {
  const e = event as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof e.producer === "string") parts.push(e.producer);
  if (typeof e.from === "number" && typeof e.to === "number") {
    parts.push(e.from === e.to ? `#${e.from}` : `#${e.from}–${e.to}`);
  }
  if (typeof e.had === "number" && typeof e.head === "number")
    parts.push(`head ${e.head} < had ${e.had}`);
  if (typeof e.durationMs === "number") parts.push(`${(e.durationMs / 1000).toFixed(1)} s`);
  if (typeof e.reason === "string") parts.push(e.reason);
  if (typeof e.consumer === "string") parts.push(`via ${e.consumer}`);
  return parts.join(" · ");
}

/** The newest anomalies clients reported: gaps, duplicates, stale reads, failed polls, stalls. */
export function AnomalyList({ anomalies }: { readonly anomalies: readonly ClientEvent[] }) {
  const newest = anomalies.slice(-12).toReversed();
  return (
    <section className="panel anomalies" aria-label="anomalies">
      <h2>Latest anomalies</h2>
      {newest.length === 0 ? (
        <p className="muted">None: every client sees every number, fresh.</p>
      ) : (
        <ul>
          {newest.map((event, i) => (
            <li
              key={`${event.at}-${event.client}-${i}`}
              className={event.type === "gap" ? "bad-text" : ""}
            >
              <span className="mono">{formatClock(event.at)}</span> <strong>{event.type}</strong>{" "}
              {event.client} {detail(event)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
