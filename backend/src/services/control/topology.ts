import type { GroupLag } from "../../contract/kafkaSnapshot.ts";
import type { ProducerFacts, Target, TargetView } from "../../contract/targets.ts";
import { leadsByBroker, type KafkaLeadership } from "./victimPicker.ts";

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
