import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../lib/config.ts";
import { labConfigSchema } from "./labConfig.ts";

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
