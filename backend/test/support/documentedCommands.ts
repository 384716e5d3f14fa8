import { readFileSync } from "node:fs";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "../../..");

/**
 * Every command line in the README (and any file under docs/ given) that starts with `prefix`,
 * in order, each split into words as a shell would split these plain ones. Placeholders (`<tool>`,
 * `…`) are not commands. So a test runs what a newcomer would copy, as it is written.
 */
export function documentedCommands(prefix: string, files = ["README.md"]): string[][] {
  const commands: string[][] = [];
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    for (const line of text.split("\n")) {
      for (const match of line.matchAll(/(?:^\s*|`)([^`]+)/g)) {
        const command = (match[1] ?? "").split(/\s+#\s/)[0]?.trim() ?? "";
        if (!command.startsWith(`${prefix} `) || /[<>[\]'"$|…]/.test(command)) continue;
        commands.push(command.split(/\s+/));
      }
    }
  }
  return commands;
}
