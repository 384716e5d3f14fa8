import { describe, expect, it } from "vitest";
import { abortReason } from "./abortReason.ts";

const TOTALS = { missing: 2, duplicates: 5, staleReads: 30, failedPolls: 4, fellBehind: 0 };

describe("abortReason", () => {
  it.each([
    ["missing", 2],
    ["duplicates", 5],
    ["staleReads", 30],
    ["failedPolls", 4],
  ] as const)(
    "aborts on %s > a value it is above, not on one it only reaches",
    (counter, value) => {
      expect(abortReason({ [counter]: { op: ">", value: value - 1 } }, TOTALS)).toBe(
        `abortWhen ${counter} > ${value - 1}: ${counter} is ${value}`,
      );
      expect(abortReason({ [counter]: { op: ">", value } }, TOTALS)).toBeUndefined();
    },
  );

  it.each([
    ["missing", 2],
    ["duplicates", 5],
    ["staleReads", 30],
    ["failedPolls", 4],
  ] as const)("aborts on %s >= a value it reaches, not on one above it", (counter, value) => {
    expect(abortReason({ [counter]: { op: ">=", value } }, TOTALS)).toBe(
      `abortWhen ${counter} >= ${value}: ${counter} is ${value}`,
    );
    expect(abortReason({ [counter]: { op: ">=", value: value + 1 } }, TOTALS)).toBeUndefined();
  });

  it("names the first rule crossed, counters in their fixed order", () => {
    const rules = {
      failedPolls: { op: ">", value: 0 },
      duplicates: { op: ">", value: 0 },
    } as const;
    expect(abortReason(rules, TOTALS)).toBe("abortWhen duplicates > 0: duplicates is 5");
  });

  it("does not abort without rules, nor while the totals are unknown", () => {
    expect(abortReason({}, TOTALS)).toBeUndefined();
    expect(abortReason({ missing: { op: ">=", value: 0 } }, null)).toBeUndefined();
  });
});
