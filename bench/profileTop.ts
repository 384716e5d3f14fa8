// The functions a V8 CPU profile spent most of its own time in, per profile file:
//   node bench/profileTop.ts /tmp/prof/*.cpuprofile [--top 25]
// Profiles come from `node --cpu-prof --cpu-prof-dir=/tmp/prof …` (see docs/benchmarks.md, "Fleet scale").
// Self time is a node's sample count times the mean sampling interval; a function is its name
// plus file and line, so that two anonymous arrow functions are not added up.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});
const top = Number(values.top);

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = totalMs / Math.max(1, profile.samples.length);
  const selfMs = new Map<string, number>();
  for (const [id, count] of counts) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = frame.url === "" ? "" : ` ${shorten(frame.url)}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    selfMs.set(name, (selfMs.get(name) ?? 0) + count * msPerSample);
  }
  const idle = selfMs.get("(idle)") ?? 0;
  const busy = totalMs - idle;
  console.log(
    `\n${basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy (${((busy / totalMs) * 100).toFixed(0)} % of one core)`,
  );
  const ranked = [...selfMs].filter(([name]) => name !== "(idle)").sort((a, b) => b[1] - a[1]);
  for (const [name, ms] of ranked.slice(0, top)) {
    console.log(
      `${((ms / busy) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`,
    );
  }
}

/** `file:///…/node_modules/koa/lib/application.js` → `koa/lib/application.js`. */
function shorten(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const src = url.indexOf("/backend/src/");
  return src >= 0 ? url.slice(src + "/backend/src/".length) : url.replace(/^file:\/\//, "");
}
