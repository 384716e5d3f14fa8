import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../lib/config.ts";
import { documentedCommands } from "../../test/support/documentedCommands.ts";
import { flagsToEnv, labConfigSchema } from "./labConfig.ts";

describe("labConfigSchema", () => {
  it("defaults to DESIGN §3's ports and a data directory in the repository", () => {
    const config = loadConfig(labConfigSchema, {});
    expect(config.KAFKA_BROKER_PORTS).toEqual([19092, 29092, 39092]);
    expect(config.KAFKA_CONTROLLER_PORTS).toEqual([19093, 29093, 39093]);
    expect(config.KAFKA_HEAP_MB).toBe(384);
    expect(config.KAFKA_JVM_OPTS).toEqual([]);
    expect(config.BLACKOUT_DATA_DIR).toMatch(/\.blackout$/);
  });

  it("takes other ports and JVM flags", () => {
    const config = loadConfig(labConfigSchema, {
      KAFKA_BROKER_PORTS: "9092, 9094,9096",
      KAFKA_JVM_OPTS: " -XX:TieredStopAtLevel=4  -Xlog:gc ",
    });
    expect(config.KAFKA_BROKER_PORTS).toEqual([9092, 9094, 9096]);
    expect(config.KAFKA_JVM_OPTS).toEqual(["-XX:TieredStopAtLevel=4", "-Xlog:gc"]);
  });

  it("names the variable when a node's port is missing", () => {
    expect(() => loadConfig(labConfigSchema, { KAFKA_CONTROLLER_PORTS: "19093,29093" })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(labConfigSchema, { KAFKA_CONTROLLER_PORTS: "19093,29093" })).toThrow(
      /KAFKA_CONTROLLER_PORTS: expected three ports/,
    );
  });
});

describe("flagsToEnv", () => {
  it("turns every setting into a flag of its own name", () => {
    expect(
      flagsToEnv(["--clients", "50", "--rate-per-second=5", "--fresh", "--kafka-only"]),
    ).toEqual({
      env: { CLIENTS: "50", RATE_PER_SECOND: "5" },
      fresh: true,
      kafkaOnly: true,
      unknown: [],
    });
  });

  it("reports what is not a setting, and a flag without its value", () => {
    expect(flagsToEnv(["--colour", "red", "--consumers"]).unknown).toEqual([
      "--colour",
      "red",
      "--consumers",
    ]);
  });

  it("defaults to 2 producers, 3 consumers and 200 clients", () => {
    const config = loadConfig(labConfigSchema, {});
    expect([config.PRODUCERS, config.CONSUMERS, config.CLIENTS]).toEqual([2, 3, 200]);
    expect(() => loadConfig(labConfigSchema, { CLIENTS: "1001" })).toThrow(
      /CLIENTS: expected at most 1000/,
    );
  });
});

describe("the lab's command lines in the README and docs/", () => {
  it("are flags the lab knows, with values its settings accept", () => {
    const lines = [
      ...documentedCommands("npm start --").map((words) => words.slice(3)),
      ...documentedCommands("npx blackout up").map((words) => words.slice(3)),
    ];
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const flags of lines) {
      const parsed = flagsToEnv(flags);
      expect(parsed.unknown, flags.join(" ")).toEqual([]);
      expect(() => loadConfig(labConfigSchema, parsed.env), flags.join(" ")).not.toThrow();
    }
  });
});
