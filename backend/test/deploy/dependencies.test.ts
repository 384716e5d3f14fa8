import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { freePorts } from "../../src/lib/freePorts.ts";
import {
  REASONS_FILE,
  configuredRegistry,
  dependencyProblems,
  directRuntimeDependencies,
  fetchRegistryPackages,
  linesBehind,
  type LockFile,
  type Reasons,
  type RegistryPackage,
} from "./dependencyProblems.ts";

const repo = resolve(import.meta.dirname, "../../..");

describe("the runtime dependencies in package-lock.json", () => {
  it("are none deprecated, none more than one release line behind the registry's latest, unless a reason is written down", async () => {
    const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")) as LockFile;
    const reasons = JSON.parse(readFileSync(join(repo, REASONS_FILE), "utf8")) as Reasons;
    const direct = directRuntimeDependencies(lock);
    expect(direct.map((d) => d.name)).toEqual(expect.arrayContaining(["kafkajs", "koa", "react"]));
    expect(direct.map((d) => d.name)).not.toContain("vitest");
    const registry = await fetchRegistryPackages(
      configuredRegistry(repo),
      direct.map((d) => d.name),
    );
    expect(dependencyProblems(lock, registry, reasons)).toEqual([]);
  }, 60_000);
});

describe("dependencyProblems", () => {
  const lock: LockFile = {
    packages: {
      "": { workspaces: ["backend"] },
      backend: { dependencies: { a: "^1.0.0", b: "^0.3.0" } },
      "node_modules/@blackout/backend": { link: true },
      "node_modules/a": { version: "1.0.0", dependencies: { c: "^2.0.0" } },
      "backend/node_modules/b": { version: "0.3.1" },
      "node_modules/c": { version: "2.0.0", deprecated: "use d instead" },
      "node_modules/tool": { version: "1.0.0", dev: true, deprecated: "a dev tool" },
    },
  };
  /** The registry with a and b at their installed lines, but for `overrides`. */
  const current = (overrides: Record<string, Partial<RegistryPackage>> = {}) =>
    new Map<string, RegistryPackage>([
      ["a", { latest: "1.2.0", deprecated: {}, ...overrides.a }],
      ["b", { latest: "0.3.4", deprecated: {}, ...overrides.b }],
    ]);
  const none: Reasons = { behind: {}, deprecated: {} };
  const fix = `: upgrade it, or write why not in ${REASONS_FILE}`;
  const cDeprecated = `c@2.0.0 is deprecated: use d instead${fix}`;

  it("reads the workspaces' runtime dependencies as installed, not their dev dependencies", () => {
    expect(directRuntimeDependencies(lock)).toEqual([
      { name: "a", version: "1.0.0", declaredBy: ["backend"] },
      { name: "b", version: "0.3.1", declaredBy: ["backend"] },
    ]);
  });

  it("finds a deprecated runtime package, transitive too, and not a dev one", () => {
    expect(dependencyProblems(lock, current(), none)).toEqual([cDeprecated]);
  });

  it("finds a direct dependency whose installed version the registry deprecates", () => {
    const registry = current({ a: { deprecated: { "1.0.0": "broken" } } });
    expect(dependencyProblems(lock, registry, none)).toEqual([
      cDeprecated,
      `a@1.0.0 is deprecated in the registry: broken${fix}`,
    ]);
  });

  it("finds a direct dependency more than one release line behind, never one line", () => {
    const twoBehind = current({ a: { latest: "3.0.0" }, b: { latest: "0.5.0" } });
    expect(dependencyProblems(lock, twoBehind, none)).toEqual([
      cDeprecated,
      `a@1.0.0 (a dependency of backend) is 2 release lines behind the latest, 3.0.0${fix}`,
      `b@0.3.1 (a dependency of backend) is 2 release lines behind the latest, 0.5.0${fix}`,
    ]);
    const oneBehind = current({ a: { latest: "2.9.0" }, b: { latest: "0.4.0" } });
    expect(dependencyProblems(lock, oneBehind, none)).toEqual([cDeprecated]);
  });

  it("lets a written reason excuse a problem, and finds a reason that excuses nothing", () => {
    const registry = current({ a: { latest: "3.0.0" } });
    const reasons: Reasons = {
      behind: { a: "3.x needs Node 26" },
      deprecated: { c: "a's own dependency; a has no release without it" },
    };
    expect(dependencyProblems(lock, registry, reasons)).toEqual([]);
    expect(dependencyProblems(lock, current(), reasons)).toEqual([
      `${REASONS_FILE} excuses a as behind, which it no longer is: remove it`,
    ]);
  });

  it("counts release lines as npm's caret ranges do: majors, 0.x minors, 0.0.x patches", () => {
    expect(linesBehind("4.8.4", "4.9.0")).toBe(0);
    expect(linesBehind("4.8.4", "6.0.0")).toBe(2);
    expect(linesBehind("0.301.0", "0.302.1")).toBe(1);
    expect(linesBehind("0.301.0", "0.303.0")).toBe(2);
    expect(linesBehind("0.28.2", "1.0.0")).toBe(1);
    expect(linesBehind("0.28.2", "2.1.0")).toBe(2);
    expect(linesBehind("0.0.21", "0.0.23")).toBe(2);
    expect(linesBehind("2.0.0", "1.9.0")).toBe(0);
  });
});

describe("fetchRegistryPackages", () => {
  it("rejects, naming the registry, when the registry is unreachable or fails", async () => {
    const [port] = await freePorts(1);
    await expect(fetchRegistryPackages(`http://127.0.0.1:${port}/`, ["koa"])).rejects.toThrow(
      `the npm registry http://127.0.0.1:${port}/ did not answer for koa`,
    );
    const server = createServer((_request, response) => response.writeHead(503).end());
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const failing = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(fetchRegistryPackages(failing, ["@koa/router"])).rejects.toThrow(
        `the npm registry ${failing} answered 503 for @koa/router`,
      );
    } finally {
      server.close();
    }
  });
});
