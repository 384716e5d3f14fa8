import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const main = join(import.meta.dirname, "kafkaToolMain.ts");

describe("npm run kafka", () => {
  it("explains its usage and exits 2 when the tool is unknown", () => {
    const result = spawnSync(process.execPath, [main, "no-such-tool"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npm run kafka -- <tool> [args]");
    expect(result.stderr).toContain("consumer-groups");
  });
});
