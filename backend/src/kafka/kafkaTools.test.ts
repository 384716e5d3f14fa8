import { describe, expect, it } from "vitest";
import { isKafkaTool, kafkaToolArgs } from "./kafkaTools.ts";

const jars = { version: "4.4.0", libDir: "/jars", classpath: "/jars/*" };

describe("kafkaToolArgs", () => {
  it("runs the tool's main class from the broker jars", () => {
    const args = kafkaToolArgs(jars, "topics", ["--list"], "127.0.0.1:19092");
    expect(args).toContain("/jars/*");
    expect(args.slice(-4)).toEqual([
      "org.apache.kafka.tools.TopicCommand",
      "--bootstrap-server",
      "127.0.0.1:19092",
      "--list",
    ]);
  });

  it("names the server before a subcommand, where metadata-quorum takes it", () => {
    const args = kafkaToolArgs(jars, "metadata-quorum", ["describe", "--status"], "b:1");
    expect(args.slice(-4)).toEqual(["--bootstrap-server", "b:1", "describe", "--status"]);
  });

  it("keeps a bootstrap server or controller the caller named, in either spelling", () => {
    for (const given of [
      ["--bootstrap-server", "h:1"],
      ["--bootstrap-server=h:1"],
      ["--bootstrap-controller", "h:2"],
    ]) {
      const args = kafkaToolArgs(
        jars,
        "metadata-quorum",
        [...given, "describe"],
        "127.0.0.1:19092",
      );
      expect(args).not.toContain("127.0.0.1:19092");
    }
  });

  it("adds no bootstrap server to tools that do not take one, or to --help", () => {
    expect(kafkaToolArgs(jars, "storage", ["random-uuid"], "b:1")).not.toContain("b:1");
    expect(kafkaToolArgs(jars, "topics", ["--help"], "b:1")).not.toContain("b:1");
  });

  it("knows its tools", () => {
    expect(isKafkaTool("topics")).toBe(true);
    expect(isKafkaTool("toString")).toBe(false);
  });
});
