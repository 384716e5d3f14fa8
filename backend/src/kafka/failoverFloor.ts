import type { Admin } from "kafkajs";
import type { KillMode, TargetKind } from "../contract/targets.ts";

/**
 * The floor Kafka sets for a fault: how long Kafka itself takes before the lab can recover,
 * whatever the clients do. Every recovery time is shown beside it (DESIGN §1), so that what is
 * Kafka's and what is ours can be told apart.
 */
export interface Floor {
  readonly ms: number;
  /** Which setting sets it, with its value: what an operator would change to move it. */
  readonly because: string;
}

/** The settings the floors come from, as the running brokers and consumers have them. */
export interface FloorSettings {
  /** KRaft: a broker silent this long is fenced and its partitions get new leaders. */
  readonly brokerSessionTimeoutMs: number;
  /** A broker in controlled shutdown hands its leadership over on its next heartbeat. */
  readonly brokerHeartbeatIntervalMs: number;
  /** Controllers start an election when the active one has been silent this long. */
  readonly quorumFetchTimeoutMs: number;
  /** A new member of an empty group waits this long for others before the first assignment. */
  readonly groupInitialRebalanceDelayMs: number;
  /** The view consumers' session: how long a killed member holds its partitions. */
  readonly consumerSessionTimeoutMs: number;
  /** A restarted consumer removes the member its predecessor left (TAKE_OVER_GROUP). */
  readonly consumerTakeOver: boolean;
}

export type BrokerFloorSettings = Omit<
  FloorSettings,
  "consumerSessionTimeoutMs" | "consumerTakeOver"
>;

const BROKER_CONFIGS: Readonly<Record<keyof BrokerFloorSettings, string>> = {
  brokerSessionTimeoutMs: "broker.session.timeout.ms",
  brokerHeartbeatIntervalMs: "broker.heartbeat.interval.ms",
  quorumFetchTimeoutMs: "controller.quorum.fetch.timeout.ms",
  groupInitialRebalanceDelayMs: "group.initial.rebalance.delay.ms",
};

/** What a floor depends on in a fault. */
export interface FloorFault {
  readonly kind: TargetKind;
  readonly action: "kill" | "freeze";
  readonly mode?: KillMode | undefined;
  /** A broker that was the active KRaft controller at t0. */
  readonly activeController?: boolean;
}

const seconds = (ms: number) => `${Math.round(ms) / 1000} s`;

/** The floor of one fault; undefined for a freeze, whose length the operator chose. */
export function failoverFloor(fault: FloorFault, settings: FloorSettings): Floor | undefined {
  if (fault.action !== "kill") return undefined;
  const rebalanceDelay = `group.initial.rebalance.delay.ms ${seconds(settings.groupInitialRebalanceDelayMs)}`;
  switch (fault.kind) {
    case "consumer":
      if (fault.mode === "hard" && !settings.consumerTakeOver) {
        return {
          ms: settings.consumerSessionTimeoutMs,
          because: `the dead member holds its partitions for its session (SESSION_TIMEOUT_MS ${seconds(settings.consumerSessionTimeoutMs)})`,
        };
      }
      return {
        ms: settings.groupInitialRebalanceDelayMs,
        because:
          fault.mode === "hard"
            ? `the replacement removes the dead member and joins an empty group (${rebalanceDelay})`
            : `it left its group; the replacement joins an empty group (${rebalanceDelay})`,
      };
    case "producer":
      return { ms: 0, because: "none: a new producer needs nothing handed over by Kafka" };
    case "broker": {
      if (fault.mode !== "hard") {
        return {
          ms: settings.brokerHeartbeatIntervalMs,
          because: `controlled shutdown: leaders move on its next heartbeat (broker.heartbeat.interval.ms ${seconds(settings.brokerHeartbeatIntervalMs)})`,
        };
      }
      const fencing = `broker.session.timeout.ms ${seconds(settings.brokerSessionTimeoutMs)}`;
      if (fault.activeController === true) {
        return {
          ms: settings.quorumFetchTimeoutMs + settings.brokerSessionTimeoutMs,
          because: `a new controller is elected (controller.quorum.fetch.timeout.ms ${seconds(settings.quorumFetchTimeoutMs)}), then fences the dead broker (${fencing})`,
        };
      }
      return {
        ms: settings.brokerSessionTimeoutMs,
        because: `the controller fences it (${fencing})`,
      };
    }
  }
}

/**
 * The brokers' side of the floors, read from every live broker's configuration (DescribeConfigs,
 * as `kafka-configs --describe --all` shows it); the largest value where brokers differ.
 */
export async function readBrokerFloorSettings(admin: Admin): Promise<BrokerFloorSettings> {
  const { brokers } = await admin.describeCluster();
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: brokers.map(({ nodeId }) => ({
      // ConfigResourceTypes.BROKER: kafkajs's enum is not a named export Node's ESM loader finds.
      type: 4,
      name: String(nodeId),
      configNames: Object.values(BROKER_CONFIGS),
    })),
  });
  const settings: Partial<Record<keyof BrokerFloorSettings, number>> = {};
  for (const [key, name] of Object.entries(BROKER_CONFIGS) as [
    keyof BrokerFloorSettings,
    string,
  ][]) {
    for (const resource of resources) {
      const value = Number(resource.configEntries.find((e) => e.configName === name)?.configValue);
      if (Number.isFinite(value)) settings[key] = Math.max(settings[key] ?? 0, value);
    }
    if (settings[key] === undefined) throw new Error(`no broker reported ${name}`);
  }
  return settings as BrokerFloorSettings;
}
