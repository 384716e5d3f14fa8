import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoBuild, type EnsureGoBuildOptions, type GoBuild } from "../lib/goBinaries.ts";

/** go.mod and go.sum that pin Jaeger (observability/jaeger/build, see its README). */
export const JAEGER_BUILD: GoBuild = {
  moduleDir: resolve(
    dirname(fileURLToPath(import.meta.url)),
    "../../../observability/jaeger/build",
  ),
  module: "github.com/jaegertracing/jaeger",
  cacheName: (version) => `jaeger-${version.replace(/^v/, "")}`,
  packages: { jaeger: "github.com/jaegertracing/jaeger/cmd/jaeger" },
  takes: "about 5 minutes",
};

export interface JaegerBinary {
  readonly version: string;
  readonly path: string;
}

/** Jaeger v2 (OTLP in, in-memory storage, HTTP query API), built once from the Go module proxy. */
export async function ensureJaeger(options: EnsureGoBuildOptions = {}): Promise<JaegerBinary> {
  const { version, paths } = await ensureGoBuild(JAEGER_BUILD, {
    notBuiltHint: "run `node scripts/bootstrap.mjs` (it builds Jaeger once, about 5 minutes)",
    ...options,
  });
  return { version, path: paths.jaeger ?? "" };
}
