import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "../../..");

/** The README and every page under docs/: wherever a newcomer may copy a command line from. */
export const documentationFiles: readonly string[] = [
  "README.md",
  ...readdirSync(join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/**
 * Every command line in the documentation files (by default all of them) that starts with
 * `prefix`, in order, each split into words as a shell would split these plain ones.
 * Placeholders (`<tool>`, `…`) are not commands. So a test runs what a newcomer would copy, as it
 * is written, whichever page it is on.
 */
export function documentedCommands(
  prefix: string,
  files: readonly string[] = documentationFiles,
): string[][] {
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
