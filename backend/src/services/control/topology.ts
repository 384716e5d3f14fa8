import type { Target } from "../../chaos/orchestrator.ts";
import { leadsByBroker, type KafkaLeadership } from "./victimPicker.ts";

/** A target as the API and the dashboard show it: Kafka's facts and the guards' verdict added. */
export type TargetView = Target & {
  /** Brokers: the partitions of the numbers topic it leads. */
  readonly leads?: number[];
  /** Brokers: whether it is the active KRaft controller. */
  readonly controller?: boolean;
  /** Why a kill or freeze would be refused now; null when allowed. */
  readonly refusal: string | null;
};

export function describeTargets(
  targets: readonly Target[],
  kafka: KafkaLeadership | undefined,
  refusal: (target: Target, all: readonly Target[]) => string | undefined,
): TargetView[] {
  const leads = leadsByBroker(kafka);
  return targets.map((target) => ({
    ...target,
    ...(target.kind === "broker" && target.nodeId !== undefined
      ? {
          leads: leads.get(target.nodeId) ?? [],
          controller: kafka?.controller === target.nodeId,
        }
      : {}),
    refusal: refusal(target, targets) ?? null,
  }));
}
