import type { SessionInfo, Topology } from "../../../backend/src/contract/topology.ts";
import type { TargetView } from "../../../backend/src/contract/targets.ts";
import { actionBlock } from "../targetActions.ts";
import { TargetCard, type TargetAction } from "./TargetCard.tsx";

export interface TopologyPanelProps {
  readonly topology: Topology | null;
  readonly session: SessionInfo | null;
  readonly clientsByConsumer: Readonly<Record<string, number>>;
  readonly onAction: (target: TargetView, action: TargetAction) => void;
}

const KINDS = [
  { kind: "broker", title: "Brokers" },
  { kind: "producer", title: "Producers" },
  { kind: "consumer", title: "Consumers" },
] as const;

/** The lab's targets by kind, with Kafka's view of the brokers (leaders, controller, ISR). */
export function TopologyPanel({
  topology,
  session,
  clientsByConsumer,
  onAction,
}: TopologyPanelProps) {
  if (topology === null) return <section className="panel">Waiting for control…</section>;
  const partitions = topology.kafka?.partitions ?? [];
  const underReplicated = partitions.filter((p) => p.isr.length < p.replicas.length).length;
  const outOfIsr = (nodeId: number | undefined) =>
    partitions.filter((p) => p.replicas.includes(nodeId ?? -1) && !p.isr.includes(nodeId ?? -1))
      .length;
  return (
    <section className="panel topology" aria-label="topology">
      {KINDS.map(({ kind, title }) => (
        <div key={kind} className="kind">
          <h2>
            {title}
            {kind === "broker" && partitions.length > 0 && (
              <small className={underReplicated > 0 ? "bad-text" : "ok-text"}>
                {underReplicated > 0
                  ? ` ${underReplicated} of ${partitions.length} partitions under-replicated`
                  : ` ${partitions.length} partitions, full ISR`}
              </small>
            )}
          </h2>
          {topology.targets
            .filter((t) => t.kind === kind)
            .map((target) => (
              <TargetCard
                key={target.name}
                target={target}
                blocked={actionBlock(target, session)}
                clientsServed={clientsByConsumer[target.name]}
                outOfIsr={kind === "broker" ? outOfIsr(target.nodeId) : undefined}
                onAction={onAction}
              />
            ))}
        </div>
      ))}
    </section>
  );
}
