// Prometheus' text format as the benchmarks read it: every sample by name and labels as written,
// and a histogram's percentile over the window between two scrapes.

/** The value of every sample, keyed by name and labels as written (`name{a="b"}`). */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    // OpenMetrics puts an exemplar after the value (`… 3 # {trace_id="…"} 0.05 1733…`): the
    // sample is what comes before it.
    const exemplar = line.indexOf(" # ");
    const sample = exemplar === -1 ? line : line.slice(0, exemplar);
    const space = sample.lastIndexOf(" ");
    samples.set(sample.slice(0, space), Number(sample.slice(space + 1)));
  }
  return samples;
}

/**
 * A percentile (0 < q ≤ 1) of what a histogram observed between two scrapes, in ms: the upper
 * bound of the bucket it falls in. Null when nothing was observed or it falls in the +Inf bucket.
 */
export function histogramPercentileMs(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  histogram: string,
  q: number,
): number | null {
  const pattern = new RegExp(`^${histogram}_bucket\\{le="([^"]+)"\\}$`);
  const buckets: { le: number; count: number }[] = [];
  for (const [key, value] of after) {
    const match = pattern.exec(key);
    if (match === null) continue;
    const le = match[1] === "+Inf" ? Infinity : Number(match[1]);
    buckets.push({ le, count: value - (before.get(key) ?? 0) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const bucket = buckets.find((b) => b.count >= q * total);
  return bucket === undefined || bucket.le === Infinity ? null : Math.round(bucket.le * 1000);
}

/** The sum of every sample of a metric (all its label sets). */
export function sumOf(samples: ReadonlyMap<string, number>, metric: string): number {
  let sum = 0;
  for (const [key, value] of samples) {
    if (key === metric || key.startsWith(`${metric}{`)) sum += value;
  }
  return sum;
}
