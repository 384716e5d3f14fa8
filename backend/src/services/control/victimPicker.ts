import type { Selector } from "../../contract/selector.ts";
import type { Target } from "../../contract/targets.ts";

import { ConflictError, NotFoundError } from "../../lib/errors.ts";

/** What the picker needs from Kafka's own view: who leads what, who is the active controller. */
export interface KafkaLeadership {
  readonly controller: number | null;
  readonly partitions: readonly { readonly partition: number; readonly leader: number }[];
}

export interface PickedVictim {
  readonly victim: Target;
  readonly leads: number[];
}

/** The partitions each broker leads, by node id. */
export function leadsByBroker(kafka: KafkaLeadership | undefined): Map<number, number[]> {
  const leads = new Map<number, number[]>();
  for (const { partition, leader } of kafka?.partitions ?? []) {
    if (leader < 0) continue;
    leads.set(
      leader,
      [...(leads.get(leader) ?? []), partition].sort((a, b) => a - b),
    );
  }
  return leads;
}

/**
 * Resolves a selector to one victim. Only opted-in targets are picked by `random`; a named target
 * that is not opted in is found (so the guard can say why it is refused). Kafka-aware picks need
 * Kafka's view: without it they are refused (ConflictError) rather than guessed. What is not there
 * is a NotFoundError.
 */
export function pickVictim(
  selector: Selector,
  targets: readonly Target[],
  kafka: KafkaLeadership | undefined,
  random: () => number,
): PickedVictim {
  const leads = leadsByBroker(kafka);
  const found = (victim: Target): PickedVictim => ({
    victim,
    leads: victim.nodeId === undefined ? [] : (leads.get(victim.nodeId) ?? []),
  });
  const broker = (nodeId: number, why: string): PickedVictim => {
    const victim = targets.find((t) => t.kind === "broker" && t.nodeId === nodeId);
    if (victim === undefined) {
      throw new NotFoundError(`${why} is node ${nodeId}, which is not a target`);
    }
    return found(victim);
  };
  const noKafka = (): never => {
    throw new ConflictError(
      "Kafka's view (leaders, controller) is not available right now; name a broker instead",
    );
  };

  switch (selector.type) {
    case "name": {
      const victim = targets.find((t) => t.name === selector.name);
      if (victim === undefined) {
        throw new NotFoundError(
          `no target "${selector.name}"; targets are ${targets.map((t) => t.name).join(", ") || "none"}`,
        );
      }
      return found(victim);
    }
    case "random": {
      const candidates = targets.filter(
        (t) => t.kind === selector.kind && t.chaos && t.status === "running",
      );
      const victim = candidates[Math.floor(random() * candidates.length)];
      if (victim === undefined) {
        throw new ConflictError(`no running ${selector.kind} is opted in to chaos`);
      }
      return found(victim);
    }
    case "leader-of": {
      if (kafka === undefined) return noKafka();
      const partition = kafka.partitions.find((p) => p.partition === selector.partition);
      if (partition === undefined) {
        throw new NotFoundError(
          `no partition ${selector.partition}; the topic has ${kafka.partitions.length}`,
        );
      }
      if (partition.leader < 0) {
        throw new ConflictError(`partition ${selector.partition} has no leader`);
      }
      return broker(partition.leader, `the leader of partition ${selector.partition}`);
    }
    case "most-leaders": {
      if (kafka === undefined) return noKafka();
      let best: [number, number[]] | undefined;
      for (const entry of [...leads].sort(([a], [b]) => a - b)) {
        if (best === undefined || entry[1].length > best[1].length) best = entry;
      }
      if (best === undefined) throw new ConflictError("no partition has a leader");
      return broker(best[0], `the broker with the most leaders (${best[1].length})`);
    }
    case "controller": {
      if (kafka === undefined) return noKafka();
      if (kafka.controller === null) {
        throw new ConflictError("the active controller is not known right now");
      }
      return broker(kafka.controller, "the active controller");
    }
  }
}
