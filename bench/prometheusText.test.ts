import { describe, expect, it } from "vitest";
import { histogramPercentileMs, parsePrometheusText, sumOf } from "./prometheusText.ts";

describe("parsePrometheusText", () => {
  it("reads a bucket that carries an exemplar as the bucket's count", () => {
    const samples = parsePrometheusText(
      [
        "# TYPE blackout_client_latency_seconds histogram",
        'blackout_client_latency_seconds_bucket{le="0.05"} 7 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.031 1733500000.123',
        'blackout_client_latency_seconds_bucket{le="+Inf"} 9',
      ].join("\n"),
    );
    expect(samples.get('blackout_client_latency_seconds_bucket{le="0.05"}')).toBe(7);
    expect(samples.get('blackout_client_latency_seconds_bucket{le="+Inf"}')).toBe(9);
  });
});

describe("histogramPercentileMs", () => {
  const at = (counts: Record<string, number>) =>
    parsePrometheusText(
      Object.entries(counts)
        .map(([le, count]) => `h_bucket{le="${le}"} ${count} # {trace_id="x"} 0.01 1`)
        .join("\n"),
    );

  it("takes the upper bound of the bucket the percentile falls in, over the window", () => {
    const before = at({ "0.05": 10, "0.5": 10, "+Inf": 10 });
    const after = at({ "0.05": 108, "0.5": 110, "+Inf": 110 });
    expect(histogramPercentileMs(before, after, "h", 0.5)).toBe(50);
    expect(histogramPercentileMs(before, after, "h", 0.99)).toBe(500);
  });

  it("is null when nothing was observed", () => {
    const same = at({ "0.05": 1, "+Inf": 1 });
    expect(histogramPercentileMs(same, same, "h", 0.5)).toBeNull();
  });
});

describe("sumOf", () => {
  it("adds every label set of a metric and nothing else", () => {
    const samples = parsePrometheusText('a{x="1"} 2\na{x="2"} 3\nab 5\na 1');
    expect(sumOf(samples, "a")).toBe(6);
  });
});
