import type { Target } from "../../chaos/orchestrator.ts";
import type { GroupLag } from "../../kafka/kafkaAdminView.ts";
import type { ProducerFacts } from "./producerStates.ts";
import { leadsByBroker, type KafkaLeadership } from "./victimPicker.ts";

/** A target as the API and the dashboard show it: Kafka's facts and the guards' verdict added. */
export type TargetView = Target & {
  /** Brokers: the partitions of the numbers topic it leads. */
  readonly leads?: number[];
  /** Brokers: whether it is the active KRaft controller. */
  readonly controller?: boolean;
  /** Producers: the rate and the last number Kafka acknowledged, when it answered. */
  readonly producer?: ProducerFacts;
  /** Consumers: its group's lag in records; null when Kafka's view does not know it. */
  readonly lag?: number | null;
  /** Why a kill or freeze would be refused now; null when allowed. */
  readonly refusal: string | null;
};

/** What control knows of targets beyond the orchestrator and Kafka's leadership. */
export interface TargetFacts {
  readonly producers?: ReadonlyMap<string, ProducerFacts>;
  /** Kafka's group lag: each view consumer's group is `<groupPrefix><consumer name>`. */
  readonly groups?: readonly Pick<GroupLag, "group" | "lag">[];
  readonly groupPrefix?: string;
}

export function describeTargets(
  targets: readonly Target[],
  kafka: KafkaLeadership | undefined,
  refusal: (target: Target, all: readonly Target[]) => string | undefined,
  facts: TargetFacts = {},
): TargetView[] {
  const leads = leadsByBroker(kafka);
  return targets.map((target) => ({
    ...target,
    ...producerFactsOf(target, facts),
    ...(target.kind === "consumer" && facts.groups !== undefined
      ? {
          lag:
            facts.groups.find((g) => g.group === `${facts.groupPrefix ?? ""}${target.name}`)?.lag ??
            null,
        }
      : {}),
    ...(target.kind === "broker" && target.nodeId !== undefined
      ? {
          leads: leads.get(target.nodeId) ?? [],
          controller: kafka?.controller === target.nodeId,
        }
      : {}),
    refusal: refusal(target, targets) ?? null,
  }));
}

function producerFactsOf(target: Target, facts: TargetFacts): { producer?: ProducerFacts } {
  const known = target.kind === "producer" ? facts.producers?.get(target.name) : undefined;
  return known === undefined ? {} : { producer: known };
}
