import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir } from "../kafka/kafkaJars.ts";
import { runCommand } from "../lib/runCommand.ts";

/** The Go modules that define the builds (go.mod and go.sum under k8s/build, see its README). */
export const KUBE_BUILD_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../k8s/build",
);

/**
 * One Go module under k8s/build: the module it builds from, and its commands. `ldflags` stamps
 * the version where a binary reports it (kwokctl reads kube-apiserver's to choose its flags).
 */
interface Build {
  readonly dir: "kubernetes" | "etcd" | "kwok";
  readonly module: string;
  readonly cacheName: (version: string) => string;
  readonly packages: Readonly<Record<string, string>>;
  readonly ldflags: (version: string) => string[];
  /** A cold build's wall clock on 2 cores, measured (k8s/build/README.md). */
  readonly takes: string;
}

const BUILDS: readonly Build[] = [
  {
    dir: "kubernetes",
    module: "k8s.io/kubernetes",
    cacheName: (version) => `k8s-${version.replace(/^v/, "")}`,
    packages: {
      "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
      "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
      "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
      kubectl: "k8s.io/kubernetes/cmd/kubectl",
    },
    ldflags: (version) => {
      const [, major = "", minor = ""] = /^v(\d+)\.(\d+)/.exec(version) ?? [];
      return ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) => [
        `-X ${pkg}.gitVersion=${version}`,
        `-X ${pkg}.gitMajor=${major}`,
        `-X ${pkg}.gitMinor=${minor}`,
        `-X ${pkg}.gitTreeState=clean`,
      ]);
    },
    takes: "about 26 minutes",
  },
  {
    dir: "etcd",
    module: "go.etcd.io/etcd/server/v3",
    cacheName: (version) => `etcd-${version.replace(/^v/, "")}`,
    packages: { etcd: "go.etcd.io/etcd/server/v3" },
    ldflags: () => [],
    takes: "about 2 minutes",
  },
  {
    dir: "kwok",
    module: "sigs.k8s.io/kwok",
    cacheName: (version) => `kwok-${version.replace(/^v/, "")}`,
    packages: { kwok: "sigs.k8s.io/kwok/cmd/kwok", kwokctl: "sigs.k8s.io/kwok/cmd/kwokctl" },
    ldflags: () => [],
    takes: "about 6 minutes",
  },
];

export interface KubeBinaries {
  readonly kubernetesVersion: string;
  readonly etcdVersion: string;
  readonly kwokVersion: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly kwokctl: string;
}

export interface EnsureKubeBinariesOptions {
  /** Where builds live, outside git. Defaults to ~/.cache/blackout. */
  readonly cacheDir?: string | undefined;
  readonly onProgress?: (message: string) => void;
  /**
   * false: report missing binaries instead of building them (a test cannot wait half an hour,
   * and `npm test` built them before it started).
   */
  readonly build?: boolean;
}

/** What to tell someone whose machine has no Go. */
export const GO_MISSING_HINT =
  "install Go 1.26 or newer (https://go.dev/doc/install; Debian's golang package is older)";

/**
 * The test control plane's binaries, built from the Go module proxy once per version and reused
 * afterwards (a cold build of all takes about 35 minutes on 2 cores; k8s/build/README.md). Each
 * module is built into a staging directory that is renamed into place when complete, so an
 * interrupted build starts over instead of leaving a binary short.
 */
export async function ensureKubeBinaries(
  options: EnsureKubeBinariesOptions = {},
): Promise<KubeBinaries> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const paths: Record<string, string> = {};
  const versions: Record<Build["dir"], string> = { kubernetes: "", etcd: "", kwok: "" };
  for (const build of BUILDS) {
    const version = await requiredVersion(build);
    versions[build.dir] = version;
    const binDir = join(cacheDir, build.cacheName(version), "bin");
    for (const name of Object.keys(build.packages)) paths[name] = join(binDir, name);
    const missing = Object.keys(build.packages).filter((name) => !existsSync(join(binDir, name)));
    if (missing.length === 0) continue;
    if (options.build === false) {
      throw new Error(
        `${missing.join(", ")} ${version} not built in ${binDir}: run \`node scripts/bootstrap.mjs test\` ` +
          "(it builds the test control plane from the Go module proxy once; about 35 minutes on 2 cores)",
      );
    }
    await goBuild(build, version, binDir, options.onProgress ?? (() => undefined));
  }
  const path = (name: string): string => paths[name] ?? "";
  return {
    kubernetesVersion: versions.kubernetes,
    etcdVersion: versions.etcd,
    kwokVersion: versions.kwok,
    kubeApiserver: path("kube-apiserver"),
    kubeControllerManager: path("kube-controller-manager"),
    kubeScheduler: path("kube-scheduler"),
    kubectl: path("kubectl"),
    etcd: path("etcd"),
    kwok: path("kwok"),
    kwokctl: path("kwokctl"),
  };
}

/** `go` from PATH, else where go.dev's installer puts it (a non-login shell may lack it). */
function goCommand(): string {
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status === 0) return "go";
  return existsSync(STANDARD_GO) ? STANDARD_GO : "go";
}

const STANDARD_GO = "/usr/local/go/bin/go";

/** The version go.mod requires of the module a build is made from. */
async function requiredVersion(build: Build): Promise<string> {
  const goMod = join(KUBE_BUILD_DIR, build.dir, "go.mod");
  const text = await readFile(goMod, "utf8");
  const escaped = build.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const version = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(text)?.[1];
  if (version === undefined) throw new Error(`${goMod} requires no version of ${build.module}`);
  return version;
}

async function goBuild(
  build: Build,
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
        join(KUBE_BUILD_DIR, build.dir),
        "-p",
        "1",
        "-trimpath",
        `-ldflags=-s -w ${build.ldflags(version).join(" ")}`,
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
