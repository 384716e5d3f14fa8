import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

/** A full collection on demand, without starting the test process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

function reading(text: string, kind: string): number | undefined {
  const match = new RegExp(
    `^blackout_x_nodejs_memory_after_gc_bytes\\{kind="${kind}"\\} (\\S+)$`,
    "m",
  ).exec(text);
  return match === null ? undefined : Number(match[1]);
}

describe("nodejs_memory_after_gc_bytes", () => {
  it("follows what a full collection leaves alive: kept memory raises it, dropped memory lowers it", async () => {
    const metrics = createMetrics("x");
    collectGarbage();
    await sleep(50);
    const before = reading(await metrics.metricsText(), "heap");
    expect(before).toBeGreaterThan(0);

    // 64 MiB kept alive on the heap and 32 MiB of Buffers outside it.
    const held: unknown[] = [
      ...Array.from({ length: 64 }, () => Array.from({ length: 131_072 }, (_, i) => i * 0.5)),
      ...Array.from({ length: 32 }, () => Buffer.alloc(2 ** 20, 1)),
    ];
    collectGarbage();
    await sleep(50);
    const text = await metrics.metricsText();
    expect(reading(text, "heap")).toBeGreaterThan((before ?? 0) + 60 * 2 ** 20);
    expect(reading(text, "external")).toBeGreaterThan(32 * 2 ** 20);
    expect(held).toHaveLength(96);

    held.length = 0;
    collectGarbage();
    await sleep(50);
    expect(reading(await metrics.metricsText(), "heap")).toBeLessThan((before ?? 0) + 16 * 2 ** 20);
  });
});
