// Runs before `npm start` and `npm test` (pre-scripts) on whatever Node the machine has, so that a
// fresh clone works with one command: system packages, npm packages (which bring Node 24), the
// Kafka jars from Maven Central, Jaeger and for the tests the Kubernetes control plane, both built
// from the Go module proxy. Each step is skipped when already done.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => console.log(`bootstrap: ${line}`);

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`bootstrap: ${command} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

const works = (command, args) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

// Debian packages: a JVM for the brokers, Maven for resolving their jars, Prometheus (the lab runs
// it when installed; the tests check its configs with promtool), and for the tests
// (`bootstrap.mjs test`) Chromium, which drives the client page in a real browser.
const forTests = process.argv.includes("test");
const missing = [
  ["java", ["-version"], "openjdk-17-jre-headless", true],
  ["mvn", ["-v"], "maven", true],
  ["promtool", ["--version"], "prometheus", forTests],
  ...(forTests
    ? [
        ["chromium", ["--version"], "chromium", true],
        ["jq", ["--version"], "jq", true],
      ]
    : []),
].filter(([command, args]) => !works(command, args));
if (missing.length > 0) {
  const packages = missing.map(([, , pkg]) => pkg);
  if (process.getuid?.() === 0) {
    say(`installing Debian packages: ${packages.join(" ")}`);
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", ...packages]);
  } else {
    const names = missing.map(([command, , pkg]) => `${command} (Debian package ${pkg})`);
    console.error(`bootstrap: missing ${names.join(", ")}.`);
    console.error(`bootstrap: install them: sudo apt-get install -y ${packages.join(" ")}`);
    // Prometheus is optional for `npm start`: the lab runs without it and says so.
    if (missing.some(([, , , required]) => required)) process.exit(1);
  }
}

// npm packages, when absent or older than the lock file.
const node24 = join(root, "node_modules", ".bin", "node");
const installedLock = join(root, "node_modules", ".package-lock.json");
const stale =
  !existsSync(node24) ||
  !existsSync(installedLock) ||
  statSync(join(root, "package-lock.json")).mtimeMs > statSync(installedLock).mtimeMs;
if (stale) {
  // The machine's Node may be older than the engines' 24: npm would warn once per package, which
  // buries real problems. The Node 24 that everything runs on is one of these packages.
  say("installing npm packages (npm ci), Node 24 among them");
  run("npm", ["ci", "--loglevel=error"]);
}

// The dashboard, which control serves from dashboard/dist: built when missing or older than
// anything it is built from.
const dashboard = join(root, "dashboard");
const newestIn = (path) =>
  statSync(path).isDirectory()
    ? Math.max(0, ...readdirSync(path).map((name) => newestIn(join(path, name))))
    : statSync(path).mtimeMs;
const builtPage = join(dashboard, "dist", "index.html");
const sources = ["src", "index.html", "vite.config.ts", "package.json"].map((p) =>
  join(dashboard, p),
);
if (
  !existsSync(builtPage) ||
  Math.max(newestIn(join(root, "package-lock.json")), ...sources.map(newestIn)) >
    statSync(builtPage).mtimeMs
) {
  say("building the dashboard (vite build)");
  run(
    node24,
    [join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"],
    dashboard,
  );
}

// Kafka broker jars, cached outside git.
run(node24, [join(root, "backend", "src", "kafka", "kafkaJarsMain.ts")]);

// Jaeger, the lab's trace backend, built with Go once per version (about 5 minutes on 2 cores)
// and cached like the jars. `npm start` runs without traces when Go is missing; the tests need it.
const hasGo = works("go", ["version"]) || existsSync("/usr/local/go/bin/go");
if (forTests || hasGo) run(node24, [join(root, "backend", "src", "traces", "jaegerBinaryMain.ts")]);
else say("Go is not installed: the lab runs without its trace backend (Jaeger is built with Go)");

// The Kubernetes tests' control plane (kube-apiserver, controller manager, scheduler, kubectl,
// etcd, kwok), built with Go once per version and cached outside git like the jars.
if (forTests) run(node24, [join(root, "backend", "src", "kube", "kubeBinariesMain.ts")]);
