// `npm run soak -- --minutes N [--seed S]`: the whole local lab under a seeded random fault every
// 30 s (kills of every kind, hard and graceful, and freezes), as many as the guards allow, then
// the checks of issue 18: no client missed a record, Kafka's own console consumer finds no hole
// in any producer's sequence, every fault has its three recovery times, and every service's
// memory is flat. Exits 1 when a check fails (CI runs a 3-minute soak: soak.test.ts).
//
//   npm run soak -- --minutes 30                 # a new seed, printed so the run can be repeated
//   npm run soak -- --minutes 5 --seed 42 --clients 20 --out /tmp/soak
//
// Results: bench/results/soak.json (settings, every fault, every memory reading) and soak.md;
// the README's figures and docs/benchmarks.md's soak table follow when written to bench/results.
import { randomInt } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { handleProcessFailures } from "../backend/src/lib/processFailures.ts";
import { stopOnInterrupt } from "./benchLab.ts";
import { numberFlag } from "./numberFlag.ts";
import { resultsDir, updateBenchmarksDoc, updateReadmeFigures } from "./figures.ts";
import { runSoak, writeSoakResults } from "./soakRun.ts";
import { checksTable, SOAK_DEFAULTS } from "./soakSummary.ts";

handleProcessFailures("npm run soak");

const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    seed: { type: "string" },
    "every-s": { type: "string", default: String(SOAK_DEFAULTS.everyS) },
    "settle-s": { type: "string", default: String(SOAK_DEFAULTS.settleS) },
    "freeze-s": {
      type: "string",
      default: `${SOAK_DEFAULTS.freezeS.min}-${SOAK_DEFAULTS.freezeS.max}`,
    },
    "sample-s": { type: "string", default: String(SOAK_DEFAULTS.sampleS) },
    "warmup-s": { type: "string", default: String(SOAK_DEFAULTS.warmupS) },
    "min-fit-s": { type: "string", default: String(SOAK_DEFAULTS.minFitS) },
    "max-mib-per-hour": { type: "string", default: String(SOAK_DEFAULTS.maxMibPerHour) },
    /** The fleet; the lab's own default (200) unless given. */
    clients: { type: "string" },
    tuned: { type: "boolean", default: false },
    out: { type: "string", default: resultsDir },
  },
});

const freezeMatch = /^(\d+)-(\d+)$/.exec(flags["freeze-s"]);
const freezeS = { min: Number(freezeMatch?.[1]), max: Number(freezeMatch?.[2]) };
if (freezeMatch === null || freezeS.min < 1 || freezeS.max < freezeS.min || freezeS.max > 600) {
  process.stderr.write(`--freeze-s: expected a range of seconds like 5-20, within 1-600\n`);
  process.exit(2);
}
const settings = {
  minutes: numberFlag("minutes", flags.minutes, 0.5),
  seed: flags.seed === undefined ? randomInt(2 ** 31) : numberFlag("seed", flags.seed, 0, true),
  everyS: numberFlag("every-s", flags["every-s"], 1),
  settleS: numberFlag("settle-s", flags["settle-s"], 0),
  freezeS,
  sampleS: numberFlag("sample-s", flags["sample-s"], 1),
  warmupS: numberFlag("warmup-s", flags["warmup-s"], 0),
  minFitS: numberFlag("min-fit-s", flags["min-fit-s"], 0),
  maxMibPerHour: numberFlag("max-mib-per-hour", flags["max-mib-per-hour"], 0),
  lab: {
    ...(flags.clients === undefined
      ? {}
      : { CLIENTS: String(numberFlag("clients", flags.clients, 1, true)) }),
    ...(flags.tuned ? { TUNED: "true" } : {}),
  },
};
const outDir = resolve(flags.out);
const dataDir = await mkdtemp(join(tmpdir(), "blackout-soak-"));
stopOnInterrupt(dataDir);
let results;
try {
  results = await runSoak({ ...settings, dataDir, print: (line) => console.log(line) });
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
await mkdir(outDir, { recursive: true });
await writeSoakResults(outDir, results);
console.log(
  `\n${checksTable(results.checks)}\n\nseed ${settings.seed}; -> ${join(outDir, "soak.json")}, soak.md`,
);
if (outDir === resultsDir) {
  await updateBenchmarksDoc("soak", `${checksTable(results.checks)}\n`);
  await updateReadmeFigures();
}
process.exitCode = results.passed ? 0 : 1;
