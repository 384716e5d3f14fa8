import { describe, expect, it } from "vitest";
import { faultBands, renderRunCharts, renderSvgChart } from "./reportCharts.ts";
import { abortedScorecard, passingScorecard } from "./scorecard.fixture.ts";

/** Tags open and close in order, attributes are quoted, no raw `<` or `&` is left in text. */
function expectWellFormed(svg: string): void {
  expect(svg.startsWith("<svg ")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const tags = [...svg.matchAll(/<(\/?)([a-zA-Z]+)(?:\s+[\w:-]+="[^"<>]*")*\s*(\/?)>/g)];
  // Every `<` starts a tag of that shape: nothing unescaped slipped into the markup.
  expect(tags).toHaveLength(svg.split("<").length - 1);
  const open: string[] = [];
  for (const [, closing, name = "", selfClosing] of tags) {
    if (selfClosing === "/") continue;
    if (closing === "/") expect(open.pop()).toBe(name);
    else open.push(name);
  }
  expect(open).toEqual([]);
  const text = svg.replace(/<[^>]*>/g, "");
  expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
}

const bandRects = (svg: string): string[] =>
  [...svg.matchAll(/<g class="fault">[\s\S]*?<\/g>/g)].map(([g]) => g);

describe("renderSvgChart", () => {
  const options = {
    title: "Latency",
    unit: "ms",
    endMs: 60_000,
    series: [
      {
        label: "p99",
        color: "#dc2626",
        points: [
          { tMs: 0, value: 10 },
          { tMs: 10_000, value: 900 },
          { tMs: 20_000, value: null },
          { tMs: 30_000, value: 40 },
          { tMs: 40_000, value: null },
          { tMs: 50_000, value: 20 },
          { tMs: 60_000, value: 15 },
        ],
      },
    ],
    bands: [
      { fromMs: 5_000, toMs: 25_000, label: "kafka-2" },
      { fromMs: 45_000, toMs: 90_000, label: `<consumer & "1">` },
    ],
  };

  it("draws axes, a line with gaps, and a shaded band per fault", () => {
    const svg = renderSvgChart(options);
    expectWellFormed(svg);
    expect(svg).toContain('width="800" height="300"');
    const bands = bandRects(svg);
    expect(bands).toHaveLength(2);
    for (const band of bands) expect(band).toMatch(/<rect [^>]*fill-opacity="0.15"/);
    // 58 + 5/60 × 726 = 118.5 to 58 + 25/60 × 726 = 360.5
    expect(bands[0]).toContain('<rect x="118.5" y="40" width="242.0" height="222"');
    // A band past the end is cut at the axis's end: 45 s to 60 s.
    expect(bands[1]).toContain('width="181.5"');
    expect(bands[0]).toContain(">kafka-2</text>");
    expect(bands[1]).toContain(">&lt;consumer &amp; &quot;1&quot;&gt;</text>");
    // Time ticks every 10 s, in seconds since the start.
    for (const s of [0, 10, 20, 30, 40, 50, 60]) expect(svg).toMatch(new RegExp(`>${s}</text>`));
    expect(svg).toContain("seconds since the run started");
    // Three stretches: a line, a lone point (a dot), a line.
    const d = /<path d="([^"]*)"/.exec(svg)?.[1] ?? "";
    expect(d.match(/M/g)).toHaveLength(3);
    expect(d).toContain("h0");
    expect(svg).toContain(">p99</text>");
    expect(svg).toContain(">1000</text>");
  });

  it("escapes the title, the unit and the series labels", () => {
    const svg = renderSvgChart({
      ...options,
      title: "a < b & c",
      unit: "<ms>",
      series: [{ label: "p<99>", color: "#000", points: [] }],
    });
    expectWellFormed(svg);
    expect(svg).toContain("<title>a &lt; b &amp; c</title>");
    expect(svg).toContain(">&lt;ms&gt;</text>");
    expect(svg).toContain(">p&lt;99&gt;</text>");
    expect(svg).toContain(">no data</text>");
  });
});

describe("renderRunCharts", () => {
  it("charts latency, the ledger's counts and lag, each with the run's faults", () => {
    const charts = renderRunCharts(passingScorecard());
    expect(charts.map((c) => c.file)).toEqual([
      "chart-latency.svg",
      "chart-ledger.svg",
      "chart-lag.svg",
    ]);
    for (const chart of charts) {
      expectWellFormed(chart.svg);
      expect(bandRects(chart.svg)).toHaveLength(1);
    }
    expect(charts[1]?.svg).toContain(">stale reads</text>");
  });

  it("bands a fault until its slowest recovery, or until the run's end while unknown", () => {
    const passing = passingScorecard();
    // t0 at +20.1 s; lag recovered last, 24.7 s later.
    expect(faultBands(passing, 90_000)).toEqual([
      { fromMs: 20_100, toMs: 44_800, label: "kafka-2" },
    ]);
    const aborted = abortedScorecard();
    const [fault] = aborted.faults;
    if (fault === undefined) throw new Error("fixture has a fault");
    aborted.faults = [{ ...fault, report: { ...fault.report, podRecoveryMs: null } }];
    expect(faultBands(aborted, 24_000)).toEqual([
      { fromMs: 20_100, toMs: 24_000, label: "kafka-2" },
    ]);
  });

  it("bands a fault that timed out until its window closed, as the dashboard does", () => {
    const timedOut = passingScorecard();
    timedOut.faults = timedOut.faults.map((f) => ({
      ...f,
      report: { ...f.report, lagRecoveryMs: null, timedOut: true },
    }));
    // Pod back after 17.6 s, the lag never within 30 s: the window's end, not the pod's return.
    expect(faultBands(timedOut, 90_000)).toEqual([
      { fromMs: 20_100, toMs: 50_100, label: "kafka-2" },
    ]);
  });
});
