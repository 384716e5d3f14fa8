import { describe, expect, it } from "vitest";
import { runCommand } from "./runCommand.ts";

const hint = { missingHint: "install it" };

describe("runCommand", () => {
  it("resolves with standard output", async () => {
    await expect(runCommand("sh", ["-c", "echo out; echo err >&2"], hint)).resolves.toBe("out\n");
  });

  it("rejects with the exit status and the output's tail", async () => {
    await expect(runCommand("sh", ["-c", "echo broken >&2; exit 3"], hint)).rejects.toThrow(
      /failed \(code 3\):\nbroken/,
    );
  });

  it("says how to install a missing command", async () => {
    await expect(runCommand("blackout-no-such-command", [], hint)).rejects.toThrow(
      "blackout-no-such-command not found: install it",
    );
  });
});
