import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultCacheDir } from "./cacheDir.ts";
import { runCommand } from "./runCommand.ts";

/**
 * One Go module pinned by a go.mod and go.sum in this repository, and the commands built from it.
 * `ldflags` stamps the version where a binary reports it (kwokctl reads kube-apiserver's).
 */
export interface GoBuild {
  /** The folder holding go.mod and go.sum. */
  readonly moduleDir: string;
  /** The module the commands come from; go.mod's requirement of it is the version. */
  readonly module: string;
  readonly cacheName: (version: string) => string;
  /** Binary name → package path. */
  readonly packages: Readonly<Record<string, string>>;
  readonly ldflags?: (version: string) => string[];
  /** A cold build's wall clock on 2 cores, measured, for the progress line. */
  readonly takes: string;
}

export interface EnsureGoBuildOptions {
  /** Where builds live, outside git. Defaults to ~/.cache/blackout. */
  readonly cacheDir?: string | undefined;
  readonly onProgress?: (message: string) => void;
  /** false: throw `notBuiltHint` instead of building what is missing. */
  readonly build?: boolean;
  readonly notBuiltHint?: string;
}

export interface GoBinaries {
  readonly version: string;
  /** Binary name → path. */
  readonly paths: Readonly<Record<string, string>>;
}

/** What to tell someone whose machine has no Go. */
export const GO_MISSING_HINT =
  "install Go 1.26 or newer (https://go.dev/doc/install; Debian's golang package is older)";

/**
 * A build's binaries, built from the Go module proxy once per version and reused afterwards. The
 * build goes to a staging directory that is renamed into place when complete, so an interrupted
 * build starts over instead of leaving a binary short.
 */
export async function ensureGoBuild(
  build: GoBuild,
  options: EnsureGoBuildOptions = {},
): Promise<GoBinaries> {
  const version = await requiredVersion(build);
  const binDir = join(options.cacheDir ?? defaultCacheDir(), build.cacheName(version), "bin");
  const names = Object.keys(build.packages);
  const paths = Object.fromEntries(names.map((name) => [name, join(binDir, name)]));
  const missing = names.filter((name) => !existsSync(join(binDir, name)));
  if (missing.length > 0) {
    if (options.build === false) {
      throw new Error(
        `${missing.join(", ")} ${version} not built in ${binDir}${options.notBuiltHint ? `: ${options.notBuiltHint}` : ""}`,
      );
    }
    await goBuild(build, version, binDir, options.onProgress ?? (() => undefined));
  }
  return { version, paths };
}

/** `go` from PATH, else where go.dev's installer puts it (a non-login shell may lack it). */
function goCommand(): string {
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status === 0) return "go";
  return existsSync(STANDARD_GO) ? STANDARD_GO : "go";
}

const STANDARD_GO = "/usr/local/go/bin/go";

/** The version go.mod requires of the module a build is made from. */
async function requiredVersion(build: GoBuild): Promise<string> {
  const goMod = join(build.moduleDir, "go.mod");
  const text = await readFile(goMod, "utf8");
  const escaped = build.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const version = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(text)?.[1];
  if (version === undefined) throw new Error(`${goMod} requires no version of ${build.module}`);
  return version;
}

async function goBuild(
  build: GoBuild,
  version: string,
  binDir: string,
  onProgress: (message: string) => void,
): Promise<void> {
  const names = Object.keys(build.packages);
  const go = goCommand();
  await runCommand(go, ["version"], { missingHint: GO_MISSING_HINT });
  const staging = `${binDir}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  onProgress(
    `building ${names.join(", ")} ${version} from the Go module proxy into ${binDir} ` +
      `(once; ${build.takes} on 2 cores)`,
  );
  const started = Date.now();
  const heartbeat = setInterval(() => {
    const minutes = Math.round((Date.now() - started) / 60_000);
    onProgress(`still building ${names.join(", ")} (${minutes} min so far)`);
  }, 60_000);
  try {
    // One package at a time at a lower priority: the machine has 2 cores and other work to do.
    await runCommand(
      "nice",
      [
        "-n",
        "10",
        "env",
        "CGO_ENABLED=0",
        go,
        "build",
        "-C",
        build.moduleDir,
        "-p",
        "1",
        "-trimpath",
        `-ldflags=-s -w ${(build.ldflags?.(version) ?? []).join(" ")}`,
        // One package is named by -o itself (etcd's path ends in /v3, which would name it "server").
        "-o",
        names.length === 1 ? join(staging, names[0] ?? "") : `${staging}/`,
        ...Object.values(build.packages),
      ],
      { missingHint: GO_MISSING_HINT },
    );
  } finally {
    clearInterval(heartbeat);
  }
  const built = names.filter((name) => existsSync(join(staging, name)));
  if (built.length !== names.length) {
    throw new Error(`go build finished but ${staging} holds only ${built.join(", ") || "nothing"}`);
  }
  await writeFile(join(staging, "VERSION"), `${build.module} ${version}\n`);
  await rm(binDir, { recursive: true, force: true });
  await rename(staging, binDir);
  onProgress(
    `built ${names.join(", ")} ${version} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}
