import { bool, durationMs } from "../lib/config.ts";

// Kafka brokers refuse a session timeout outside group.min/max.session.timeout.ms (defaults
// below); failing at start names the variable instead of a kafkajs crash at the first join.
const MIN_SESSION_TIMEOUT_MS = 6000;
const MAX_SESSION_TIMEOUT_MS = 1_800_000;

/**
 * How the view consumers use their groups: read by the consumers, and by control for the floor of
 * a consumer fault (kafka/failoverFloor.ts). Kafka does not tell a classic group's session timeout
 * to anyone but its members, so both are given the same settings.
 */
export function viewGroupSettings() {
  return {
    /** kafkajs sessionTimeout: how long a hard-killed member holds its partitions. */
    SESSION_TIMEOUT_MS: durationMs()
      .refine(
        (ms) => ms >= MIN_SESSION_TIMEOUT_MS && ms <= MAX_SESSION_TIMEOUT_MS,
        `expected ${MIN_SESSION_TIMEOUT_MS} to ${MAX_SESSION_TIMEOUT_MS} ms (the brokers' group.min/max.session.timeout.ms)`,
      )
      .default(30_000),
    /**
     * Before joining its group, a consumer removes the members a killed predecessor left there
     * (viewConsumer.ts): the partitions come at once instead of after the dead member's session.
     * Safe only where one process per CONSUMER_ID runs at a time, as the StatefulSet and the
     * local supervisor ensure.
     */
    TAKE_OVER_GROUP: bool().default(false),
  };
}
