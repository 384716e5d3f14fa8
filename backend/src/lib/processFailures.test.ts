import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeError } from "./processFailures.ts";

const fixture = join(import.meta.dirname, "processFailures.fixture.ts");
const run = (mode: string) =>
  spawnSync(process.execPath, [fixture, mode], { encoding: "utf8", timeout: 20_000 });

describe("handleProcessFailures", () => {
  it("ends a failed start with the program's name, the reason and its cause, no stack", () => {
    const result = run("reject");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "fixture: could not reach Kafka: caused by: connect ECONNREFUSED 127.0.0.1:1\n",
    );
  });

  it("exits 2 for a wrong setting, naming the variable", () => {
    const result = run("config");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^fixture: Invalid configuration:\n {2}PORT: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("hands failures to the service's own reporter once it has one", () => {
    const result = run("handed-over");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("reported uncaught exception: Error: could not reach Kafka\n");
    expect(result.stderr).toBe("");
  });
});

describe("describeError", () => {
  it("follows causes, and takes what is not an Error as it is", () => {
    expect(describeError(new Error("a", { cause: new Error("b") }))).toBe("a: caused by: b");
    expect(describeError("plain")).toBe("plain");
  });
});
