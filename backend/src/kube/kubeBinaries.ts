import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoBuild, type GoBuild } from "../lib/goBinaries.ts";

export { GO_MISSING_HINT } from "../lib/goBinaries.ts";

/** The Go modules that define the builds (go.mod and go.sum under k8s/build, see its README). */
export const KUBE_BUILD_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../k8s/build",
);

const withoutV = (version: string): string => version.replace(/^v/, "");

/** One Go module under k8s/build each; `takes` is a cold build measured (k8s/build/README.md). */
const KUBERNETES: GoBuild = {
  moduleDir: join(KUBE_BUILD_DIR, "kubernetes"),
  module: "k8s.io/kubernetes",
  cacheName: (version) => `k8s-${withoutV(version)}`,
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
  takes: "12 to 26 minutes",
};

const ETCD: GoBuild = {
  moduleDir: join(KUBE_BUILD_DIR, "etcd"),
  module: "go.etcd.io/etcd/server/v3",
  cacheName: (version) => `etcd-${withoutV(version)}`,
  packages: { etcd: "go.etcd.io/etcd/server/v3" },
  takes: "about 1 to 2 minutes",
};

const KWOK: GoBuild = {
  moduleDir: join(KUBE_BUILD_DIR, "kwok"),
  module: "sigs.k8s.io/kwok",
  cacheName: (version) => `kwok-${withoutV(version)}`,
  packages: { kwok: "sigs.k8s.io/kwok/cmd/kwok", kwokctl: "sigs.k8s.io/kwok/cmd/kwokctl" },
  takes: "2 to 6 minutes",
};

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

/**
 * The test control plane's binaries, built from the Go module proxy once per version and reused
 * afterwards (a cold build of all takes 15 to 35 minutes on 2 cores; k8s/build/README.md).
 */
export async function ensureKubeBinaries(
  options: EnsureKubeBinariesOptions = {},
): Promise<KubeBinaries> {
  const ensure = (build: GoBuild) =>
    ensureGoBuild(build, {
      ...options,
      notBuiltHint:
        "run `node scripts/bootstrap.mjs test` (it builds the test control plane from the Go " +
        "module proxy once; 15 to 35 minutes on 2 cores)",
    });
  const kubernetes = await ensure(KUBERNETES);
  const etcd = await ensure(ETCD);
  const kwok = await ensure(KWOK);
  const path = (binaries: { paths: Readonly<Record<string, string>> }, name: string): string =>
    binaries.paths[name] ?? "";
  return {
    kubernetesVersion: kubernetes.version,
    etcdVersion: etcd.version,
    kwokVersion: kwok.version,
    kubeApiserver: path(kubernetes, "kube-apiserver"),
    kubeControllerManager: path(kubernetes, "kube-controller-manager"),
    kubeScheduler: path(kubernetes, "kube-scheduler"),
    kubectl: path(kubernetes, "kubectl"),
    etcd: path(etcd, "etcd"),
    kwok: path(kwok, "kwok"),
    kwokctl: path(kwok, "kwokctl"),
  };
}
