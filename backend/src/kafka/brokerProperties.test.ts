import { describe, expect, it } from "vitest";
import {
  brokerProperties,
  createClusterId,
  DEFAULT_KAFKA_NODES,
  kafkaNodes,
} from "./brokerProperties.ts";

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split("\n")
      .map((line) => {
        const at = line.indexOf("=");
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );
}

describe("brokerProperties", () => {
  const node = { id: 2, brokerPort: 29092, controllerPort: 29093 };
  const props = parse(
    brokerProperties({ node, nodes: DEFAULT_KAFKA_NODES, host: "127.0.0.1", dataDir: "/d" }),
  );

  it("makes a combined broker+controller with a static quorum of all nodes", () => {
    expect(props.get("process.roles")).toBe("broker,controller");
    expect(props.get("node.id")).toBe("2");
    expect(props.get("controller.quorum.voters")).toBe(
      "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093",
    );
    expect(props.get("listeners")).toBe("PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093");
    expect(props.get("advertised.listeners")).toBe("PLAINTEXT://127.0.0.1:29092");
    expect(props.get("log.dirs")).toBe("/d");
  });

  it("keeps data as DESIGN §1 asks: RF 3, min.insync.replicas 2, no unclean election", () => {
    expect(props.get("default.replication.factor")).toBe("3");
    expect(props.get("min.insync.replicas")).toBe("2");
    expect(props.get("offsets.topic.replication.factor")).toBe("3");
    expect(props.get("unclean.leader.election.enable")).toBe("false");
  });

  it("applies overrides last", () => {
    const overridden = parse(
      brokerProperties({
        node,
        nodes: DEFAULT_KAFKA_NODES,
        host: "127.0.0.1",
        dataDir: "/d",
        overrides: { "num.partitions": "12" },
      }),
    );
    expect(overridden.get("num.partitions")).toBe("12");
  });
});

describe("createClusterId", () => {
  it("prints 16 random bytes as Kafka does: 22 URL-safe base64 characters, never a leading dash", () => {
    const ids = Array.from({ length: 500 }, createClusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("kafkaNodes", () => {
  it("numbers nodes from 1 and pairs their ports", () => {
    expect(kafkaNodes([19092, 29092, 39092], [19093, 29093, 39093])).toEqual(DEFAULT_KAFKA_NODES);
  });

  it("refuses port lists of different lengths", () => {
    expect(() => kafkaNodes([1, 2, 3], [4, 5])).toThrow("3 broker ports but 2 controller ports");
    expect(() => kafkaNodes([1, 2, 3], [4, 5, 6], [7])).toThrow(
      "3 broker ports but 1 metrics ports",
    );
    expect(kafkaNodes([1, 2], [4, 5], [7, 8])[1]).toEqual({
      id: 2,
      brokerPort: 2,
      controllerPort: 5,
      metricsPort: 8,
    });
  });
});
