import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/config.ts";
import { loadConsumerConfig } from "./consumerConfig.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConsumerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConsumerConfig", () => {
  it("applies the defaults of DESIGN §1 and §3", () => {
    expect(loadConsumerConfig({})).toEqual({
      LOG_LEVEL: "info",
      CONSUMER_ID: "consumer-0",
      KAFKA_BROKERS: ["127.0.0.1:19092", "127.0.0.1:29092", "127.0.0.1:39092"],
      KAFKA_RETRY_INITIAL_MS: 300,
      KAFKA_RETRY_MAX_MS: 5000,
      KAFKA_RETRIES: 10,
      KAFKA_METADATA_MAX_AGE_MS: 300_000,
      KAFKA_FETCH_MAX_WAIT_MS: 5000,
      KAFKA_TOPIC: "blackout.numbers",
      KAFKA_TOPIC_PARTITIONS: 6,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: 7200,
      VIEW_WINDOW: 100_000,
      SESSION_TIMEOUT_MS: 30_000,
      TAKE_OVER_GROUP: false,
      MAX_RECORDS_PER_ANSWER: 1000,
      FETCH_MIN_BYTES: 1,
      POLL_MS: 500,
      STALL_MS: 1500,
    });
  });

  it("reads every setting, and derives STALL_MS from POLL_MS only when unset", () => {
    const config = loadConsumerConfig({
      CONSUMER_ID: "consumer-2",
      KAFKA_BROKERS: "kafka-0:9092,kafka-1:9092",
      KAFKA_TOPIC: "test.numbers",
      KAFKA_TOPIC_PARTITIONS: "3",
      HTTP_HOST: "0.0.0.0",
      HTTP_PORT: "7202",
      VIEW_WINDOW: "500",
      SESSION_TIMEOUT_MS: "10s",
      MAX_RECORDS_PER_ANSWER: "50",
      POLL_MS: "1s",
    });
    expect(config).toMatchObject({
      CONSUMER_ID: "consumer-2",
      KAFKA_BROKERS: ["kafka-0:9092", "kafka-1:9092"],
      KAFKA_TOPIC: "test.numbers",
      KAFKA_TOPIC_PARTITIONS: 3,
      HTTP_HOST: "0.0.0.0",
      HTTP_PORT: 7202,
      VIEW_WINDOW: 500,
      SESSION_TIMEOUT_MS: 10_000,
      MAX_RECORDS_PER_ANSWER: 50,
      POLL_MS: 1000,
      STALL_MS: 3000,
    });
    expect(loadConsumerConfig({ POLL_MS: "1s", STALL_MS: "2s" }).STALL_MS).toBe(2000);
  });

  it.each([
    [
      "CONSUMER_ID",
      "Consumer_0",
      'expected lower-case letters, digits and dashes, got "Consumer_0"',
    ],
    ["CONSUMER_ID", "-c", 'expected lower-case letters, digits and dashes, got "-c"'],
    ["KAFKA_BROKERS", "kafka-0", "expected host:port"],
    ["KAFKA_TOPIC", "no spaces", 'expected a Kafka topic name, got "no spaces"'],
    ["HTTP_PORT", "0", 'expected a port number (1-65535), got "0"'],
    ["VIEW_WINDOW", "0", 'expected a whole number greater than 0, got "0"'],
    [
      "SESSION_TIMEOUT_MS",
      "1s",
      "expected 6000 to 1800000 ms (the brokers' group.min/max.session.timeout.ms), got 1000",
    ],
    ["MAX_RECORDS_PER_ANSWER", "many", 'expected a whole number greater than 0, got "many"'],
    ["POLL_MS", "0", "expected a duration greater than 0, got 0"],
    ["STALL_MS", "soon", "expected a duration such as"],
  ])("names %s when it is %j", (variable, raw, message) => {
    const error = configError({ [variable]: raw });
    expect(error.issues.map((i) => i.variable)).toEqual([
      variable === "KAFKA_BROKERS" ? "KAFKA_BROKERS[0]" : variable,
    ]);
    expect(error.message).toContain(message);
  });
});
