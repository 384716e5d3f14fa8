import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly stage: string;
}

/** The Dockerfile's instructions, continuation lines joined, each with the stage it is in. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, " ");
  const result: Instruction[] = [];
  let stage = "";
  let count = 0;
  for (const line of joined.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const [keyword = "", ...rest] = trimmed.split(/\s+/);
    const args = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") {
      stage = / AS (\S+)$/i.exec(args)?.[1] ?? `stage-${count}`;
      count += 1;
    }
    result.push({ keyword: keyword.toUpperCase(), args, stage });
  }
  return result;
}

/** .dockerignore's patterns as Docker applies them to a path (the forms this file uses). */
function ignored(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .split("**/")
      .map((part) => part.replace(/\*/g, "[^/]*"))
      .join("(.*/)?");
    return new RegExp(`^${source}(/.*)?$`).test(path);
  });
}

const dockerfile = instructions(readFileSync(join(repo, "Dockerfile"), "utf8"));
const dockerignore = readFileSync(join(repo, ".dockerignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const stages = dockerfile.filter((i) => i.keyword === "FROM").map((i) => i.stage);
const runtime = stages.at(-1) ?? "";
const inRuntime = dockerfile.filter((i) => i.stage === runtime);

describe("the Dockerfile", () => {
  it("builds in stages: the dashboard with dev dependencies, a runtime with production ones only", () => {
    expect(stages).toEqual(["dashboard", "dependencies", "stage-2"]);
    const runs = (stage: string) =>
      dockerfile.filter((i) => i.stage === stage && i.keyword === "RUN").map((i) => i.args);
    expect(runs("dashboard")).toEqual([
      "npm ci --loglevel=error",
      "npm run build --workspace dashboard",
    ]);
    expect(runs("dependencies")).toEqual([
      "npm ci --omit=dev --workspace backend --loglevel=error",
    ]);
    expect(runs(runtime)).toEqual([]);
    expect(inRuntime.map((i) => `${i.keyword} ${i.args}`)).toContain(
      "COPY --from=dashboard /app/dashboard/dist dashboard/dist",
    );
  });

  it("runs as a numeric non-root user, every service chosen by the command", () => {
    const user = inRuntime.filter((i) => i.keyword === "USER").at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const entrypoint = JSON.parse(
      inRuntime.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "[]",
    ) as string[];
    expect(entrypoint).toEqual([
      "node",
      "--disable-warning=TimeoutNegativeWarning",
      "--import",
      "./src/lib/telemetry.ts",
    ]);
    const workdir = inRuntime.filter((i) => i.keyword === "WORKDIR").at(-1)?.args;
    expect(workdir).toBe("/app/backend");
    expect(existsSync(join(repo, "backend/src/lib/telemetry.ts"))).toBe(true);
  });

  it("copies from the build context only what exists and what .dockerignore lets through", () => {
    const copies = dockerfile.filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources.filter((s) => s !== ".")) {
        expect(existsSync(join(repo, source)), `${copy.args}: ${source}`).toBe(true);
        expect(ignored(source, dockerignore), `${source} is in .dockerignore`).toBe(false);
      }
    }
  });

  it("keeps installed, generated and secret-prone files out of the context", () => {
    for (const path of [
      ".git",
      ".env",
      "node_modules",
      "backend/node_modules",
      "dashboard/dist",
      ".blackout/logs/x.log",
      "backend/src/chaos/kubernetes.test.ts",
      "k8s/build/kubernetes/go.sum",
    ]) {
      expect(ignored(path, dockerignore), path).toBe(true);
    }
    for (const path of [
      "backend/src/chaos/orchestrators/kubernetes.ts",
      "package-lock.json",
      "scenarios",
    ]) {
      expect(ignored(path, dockerignore), path).toBe(false);
    }
  });
});
