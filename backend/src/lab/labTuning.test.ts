import { describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config.ts";
import { flagsToEnv, labConfigSchema } from "./labConfig.ts";
import { FAST_FAILOVER_TUNING, TYPICAL_TUNING, labTuning } from "./labTuning.ts";

const tuningOf = (env: Record<string, string>) => labTuning(loadConfig(labConfigSchema, env));

describe("labTuning", () => {
  it("is what a typical deployment has unless --tuned", () => {
    // The figures docs/services.md gives: Kafka's and kafkajs's defaults, and a 30 s consumer session.
    expect(TYPICAL_TUNING).toMatchObject({
      SESSION_TIMEOUT_MS: 30_000,
      BROKER_SESSION_TIMEOUT_MS: 9000,
      KAFKA_RETRY_INITIAL_MS: 300,
    });
    expect(tuningOf({})).toEqual(TYPICAL_TUNING);
  });

  it("is the tuned set with --tuned, each setting given explicitly winning over either", () => {
    expect(tuningOf(flagsToEnv(["--tuned"]).env)).toEqual(FAST_FAILOVER_TUNING);
    expect(tuningOf({ TUNED: "true", SESSION_TIMEOUT_MS: "10s" })).toEqual({
      ...FAST_FAILOVER_TUNING,
      SESSION_TIMEOUT_MS: 10_000,
    });
    expect(tuningOf({ BROKER_SESSION_TIMEOUT_MS: "4500" }).BROKER_SESSION_TIMEOUT_MS).toBe(4500);
  });

  it("keeps the tuned set within what Kafka accepts", () => {
    // group.min.session.timeout.ms, and a heartbeat well inside the broker session.
    expect(FAST_FAILOVER_TUNING.SESSION_TIMEOUT_MS).toBeGreaterThanOrEqual(6000);
    expect(FAST_FAILOVER_TUNING.BROKER_HEARTBEAT_INTERVAL_MS * 4).toBeLessThanOrEqual(
      FAST_FAILOVER_TUNING.BROKER_SESSION_TIMEOUT_MS,
    );
  });
});
