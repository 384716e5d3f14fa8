// `npm run bench -- telemetry [--phase-s 120] [--sample-s 5] [--clients N] [--out dir]`: the
// whole local lab, no fault, while the telemetry backends fail one at a time (issue 18): every
// backend up, Jaeger frozen (SIGSTOP: it accepts connections and answers none, worse than down),
// every backend up again, Prometheus frozen, up again. Per phase, what clients saw (end-to-end
// latency, polls and failed polls) and what the services carried (spans dropped, their span
// queues, what their full collections left alive), each against the first phase of the same
// run. Grafana is not part of the local lab: control's annotation calls to a Grafana that does
// not answer are bounded by a unit test ("never makes a fault wait for a Grafana…").
//
// Results: bench/results/telemetry-outage.json (settings, every phase, every service reading)
// and telemetry-outage.md; docs/benchmarks.md's table follows when written to bench/results.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stopOnInterrupt } from "./benchLab.ts";
import { resultsDir, updateBenchmarksDoc } from "./figures.ts";
import { numberFlag } from "./numberFlag.ts";
import { runTelemetryOutage, writeTelemetryOutageResults } from "./telemetryOutageRun.ts";
import { outageTable } from "./telemetryOutageSummary.ts";

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "telemetry"),
  options: {
    "phase-s": { type: "string", default: "120" },
    "sample-s": { type: "string", default: "5" },
    "settle-s": { type: "string", default: "60" },
    clients: { type: "string" },
    out: { type: "string", default: resultsDir },
  },
});

const settings = {
  phaseS: numberFlag("phase-s", flags["phase-s"], 10, true),
  sampleS: numberFlag("sample-s", flags["sample-s"], 1, true),
  settleS: numberFlag("settle-s", flags["settle-s"], 0, true),
  lab: Object.fromEntries(
    flags.clients === undefined
      ? []
      : [["CLIENTS", String(numberFlag("clients", flags.clients, 1, true))]],
  ),
};

const dataDir = await mkdtemp(join(tmpdir(), "blackout-telemetry-outage-"));
stopOnInterrupt(dataDir);
let results;
try {
  results = await runTelemetryOutage({ ...settings, dataDir, print: (line) => console.log(line) });
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
const outDir = resolve(flags.out);
await mkdir(outDir, { recursive: true });
await writeTelemetryOutageResults(outDir, results);
const table = outageTable(results.phases);
console.log(`\n${table}\n\n-> ${join(outDir, "telemetry-outage.json")}, telemetry-outage.md`);
if (outDir === resultsDir) await updateBenchmarksDoc("telemetry-outage", `${table}\n`);
