import { mkdir, rm } from "node:fs/promises";
import { runCommand } from "./runCommand.ts";

/**
 * Runs one of maven-dependency-plugin's copy goals (`dependency:copy`, `…:copy-dependencies`,
 * given in `goal`) into a fresh `staging` directory, which the caller then moves into place:
 * an interrupted download must never look like a complete one.
 */
export async function mavenCopy(goal: readonly string[], staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await runCommand("mvn", ["-B", "-q", ...goal, `-DoutputDirectory=${staging}`], {
    missingHint: "install the Debian package 'maven' (and a Java 17 JDK)",
  });
}
