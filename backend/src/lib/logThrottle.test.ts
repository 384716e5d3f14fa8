import { describe, expect, it } from "vitest";
import { createLogThrottle } from "./logThrottle.ts";

describe("createLogThrottle", () => {
  it("logs a key's first occurrence, then once per interval with the count it skipped", () => {
    let now = 0;
    const logged: [string, number][] = [];
    const throttle = createLogThrottle({ intervalMs: 1000, now: () => now });
    const occur = (key: string): void => throttle(key, (skipped) => logged.push([key, skipped]));

    occur("a");
    occur("a");
    occur("b");
    now = 999;
    occur("a");
    expect(logged).toEqual([
      ["a", 0],
      ["b", 0],
    ]);
    now = 1000;
    occur("a");
    occur("a");
    now = 2500;
    occur("a");
    occur("b");
    expect(logged).toEqual([
      ["a", 0],
      ["b", 0],
      ["a", 2],
      ["a", 1],
      ["b", 0],
    ]);
  });
});
