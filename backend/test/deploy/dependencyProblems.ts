/**
 * The runtime dependencies' health, in place of `npm audit` (whose advisory endpoint this
 * project's registry refuses): no runtime package that its registry marks deprecated, and no
 * direct runtime dependency more than one breaking release line behind the registry's latest,
 * unless a reason is written down in REASONS_FILE.
 */
import { execFileSync } from "node:child_process";

/** Where the reasons are written down, relative to the repository. */
export const REASONS_FILE = "backend/test/deploy/dependencyReasons.json";

export interface LockEntry {
  readonly version?: string;
  /** Installed only for development: what `npm ci --omit=dev` leaves out. */
  readonly dev?: boolean;
  /** A workspace's link. */
  readonly link?: boolean;
  readonly deprecated?: string;
  readonly workspaces?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/** package-lock.json (lockfileVersion 2 or 3): every installed package by its path. */
export interface LockFile {
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** Why a package may stay as it is, by package name, each with its reason. */
export interface Reasons {
  readonly behind: Readonly<Record<string, string>>;
  readonly deprecated: Readonly<Record<string, string>>;
}

/** What the registry says of a direct dependency: its latest version, and its deprecations. */
export interface RegistryPackage {
  readonly latest: string;
  /** The deprecation message of each deprecated version. */
  readonly deprecated: Readonly<Record<string, string>>;
}

export interface Dependency {
  readonly name: string;
  readonly version: string;
  /** The workspaces (or "the root") that declare it in `dependencies`. */
  readonly declaredBy: readonly string[];
}

/** The root's and the workspaces' `dependencies` (not devDependencies), each as installed. */
export function directRuntimeDependencies(lock: LockFile): Dependency[] {
  const root = lock.packages[""] ?? {};
  const byName = new Map<string, { version: string; declaredBy: string[] }>();
  for (const workspace of ["", ...(root.workspaces ?? [])]) {
    for (const name of Object.keys(lock.packages[workspace]?.dependencies ?? {})) {
      const installed = (workspace === "" ? [] : [`${workspace}/node_modules/${name}`])
        .concat(`node_modules/${name}`)
        .map((path) => lock.packages[path]?.version)
        .find((version) => version !== undefined);
      if (installed === undefined) {
        throw new Error(`${name} (a dependency of ${workspace || "the root"}) is not in the lock`);
      }
      const entry = byName.get(name) ?? { version: installed, declaredBy: [] };
      entry.declaredBy.push(workspace || "the root");
      byName.set(name, entry);
    }
  }
  return [...byName].map(([name, entry]) => ({ name, ...entry }));
}

/** A lock path's package name: `node_modules/a/node_modules/@s/b` is `@s/b`. */
function packageName(path: string): string {
  return path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
}

/**
 * What npm installs without dev dependencies and the lock records as deprecated (the registry's
 * message, recorded at install time: checked without the network), transitive ones included.
 */
export function deprecatedRuntimePackages(
  lock: LockFile,
): { readonly name: string; readonly version: string; readonly message: string }[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.includes("node_modules/") && entry.dev !== true)
    .flatMap(([path, entry]) =>
      // An empty message is how a registry records a deprecation withdrawn.
      entry.deprecated === undefined || entry.deprecated === "" || entry.link === true
        ? []
        : [{ name: packageName(path), version: entry.version ?? "", message: entry.deprecated }],
    );
}

/**
 * The breaking release line of a version, as npm's caret ranges read it: the major version, or
 * the minor for 0.x, or the patch for 0.0.x. [1, 4] for 4.8.4, [2, 301] for 0.301.2.
 */
function releaseLine(version: string): readonly [number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split(/[.+-]/).map(Number);
  if (major > 0) return [3, major];
  return minor > 0 ? [2, minor] : [1, patch];
}

/** How many breaking release lines `installed` is behind `latest` (0 when current or ahead). */
export function linesBehind(installed: string, latest: string): number {
  const [rankInstalled, lineInstalled] = releaseLine(installed);
  const [rankLatest, lineLatest] = releaseLine(latest);
  // From 0.x to a latest 1.0 or above: each major since 1.0 is a line, 1.0 itself the first.
  if (rankLatest > rankInstalled) return lineLatest;
  return rankLatest === rankInstalled ? Math.max(0, lineLatest - lineInstalled) : 0;
}

/**
 * Every problem, each naming the package and REASONS_FILE: deprecated runtime packages (from the
 * lock, and for direct dependencies from the registry too), direct ones more than one line
 * behind, and reasons that no longer excuse anything.
 */
export function dependencyProblems(
  lock: LockFile,
  registry: ReadonlyMap<string, RegistryPackage>,
  reasons: Reasons,
): string[] {
  const direct = directRuntimeDependencies(lock);
  const deprecated = new Map<string, string>();
  for (const { name, version, message } of deprecatedRuntimePackages(lock)) {
    deprecated.set(name, `${name}@${version} is deprecated: ${message}`);
  }
  const behind = new Map<string, string>();
  for (const { name, version, declaredBy } of direct) {
    const known = registry.get(name);
    if (known === undefined) throw new Error(`no registry answer for ${name}`);
    const message = known.deprecated[version];
    if (message !== undefined && message !== "") {
      deprecated.set(name, `${name}@${version} is deprecated in the registry: ${message}`);
    }
    const lines = linesBehind(version, known.latest);
    if (lines > 1) {
      behind.set(
        name,
        `${name}@${version} (a dependency of ${declaredBy.join(", ")}) is ${lines} release lines behind the latest, ${known.latest}`,
      );
    }
  }
  const unexcused = (found: Map<string, string>, excused: Readonly<Record<string, string>>) =>
    [...found]
      .filter(([name]) => excused[name] === undefined)
      .map(([, problem]) => `${problem}: upgrade it, or write why not in ${REASONS_FILE}`);
  const stale = (kind: keyof Reasons, found: Map<string, string>) =>
    Object.keys(reasons[kind])
      .filter((name) => !found.has(name))
      .map(
        (name) => `${REASONS_FILE} excuses ${name} as ${kind}, which it no longer is: remove it`,
      );
  return [
    ...unexcused(deprecated, reasons.deprecated),
    ...unexcused(behind, reasons.behind),
    ...stale("deprecated", deprecated),
    ...stale("behind", behind),
  ];
}

/** The registry npm is configured with (the project's .npmrc, the user's, the environment). */
export function configuredRegistry(repo: string): string {
  const registry = execFileSync("npm", ["config", "get", "registry"], {
    cwd: repo,
    encoding: "utf8",
  }).trim();
  return registry.endsWith("/") ? registry : `${registry}/`;
}

/**
 * Each package's latest version and deprecations, from the registry's abbreviated metadata.
 * Rejects, naming the registry and the package, when the registry does not answer.
 */
export async function fetchRegistryPackages(
  registry: string,
  names: readonly string[],
): Promise<Map<string, RegistryPackage>> {
  const answers = await Promise.all(
    names.map(async (name) => {
      const url = `${registry}${name.replace("/", "%2f")}`;
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: "application/vnd.npm.install-v1+json" },
          signal: AbortSignal.timeout(20_000),
        });
      } catch (error) {
        throw new Error(
          `the npm registry ${registry} did not answer for ${name}: ${String(error)}. The dependency check needs it (npm config get registry)`,
          { cause: error },
        );
      }
      if (!response.ok) {
        throw new Error(
          `the npm registry ${registry} answered ${response.status} for ${name}. The dependency check needs it (npm config get registry)`,
        );
      }
      const body = (await response.json()) as {
        "dist-tags"?: { latest?: string };
        versions?: Record<string, { deprecated?: string }>;
      };
      const latest = body["dist-tags"]?.latest;
      if (latest === undefined) throw new Error(`${url} names no latest version`);
      const deprecated = Object.fromEntries(
        Object.entries(body.versions ?? {}).flatMap(([version, meta]) =>
          meta.deprecated === undefined ? [] : [[version, meta.deprecated]],
        ),
      );
      return [name, { latest, deprecated }] as const;
    }),
  );
  return new Map(answers);
}
