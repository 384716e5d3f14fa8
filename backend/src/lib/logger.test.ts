import { context, trace } from "@opentelemetry/api";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { useContextManager } from "../../test/support/otelContext.ts";
import { createLogger } from "./logger.ts";

useContextManager();

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, stream };
}

const traceId = "0af7651916cd43dd8448eb211c80319c";
const spanId = "b7ad6b7169203331";

describe("createLogger", () => {
  it("adds the active span's trace and span ids", async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: "producer", level: "info" }, stream);
    const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: 1 });

    await context.with(trace.setSpan(context.active(), span), async () => {
      await Promise.resolve();
      logger.info({ seq: 41 }, "produced");
    });

    expect(lines()).toEqual([
      expect.objectContaining({
        level: "info",
        name: "producer",
        msg: "produced",
        seq: 41,
        trace_id: traceId,
        span_id: spanId,
      }),
    ]);
  });

  it("adds no ids outside a span", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: "producer", level: "info" }, stream);

    logger.warn("no span here");

    const [line] = lines();
    expect(line).toMatchObject({ level: "warn", msg: "no span here" });
    expect(line).not.toHaveProperty("trace_id");
    expect(line).not.toHaveProperty("span_id");
  });

  it("drops lines below its level", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: "producer", level: "warn" }, stream);

    logger.info("quiet");
    logger.error("loud");

    expect(lines().map((line) => line.msg)).toEqual(["loud"]);
  });
});
