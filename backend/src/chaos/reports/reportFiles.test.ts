import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeReports } from "./reportFiles.ts";
import { scorecardSchema } from "../../contract/scorecard.ts";
import { failingScorecard, passingScorecard } from "./scorecard.fixture.ts";

describe("writeReports", () => {
  let dir = "";
  afterEach(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("writes report.json (a valid scorecard), report.md, junit.xml and the charts", async () => {
    dir = await mkdtemp(join(tmpdir(), "blackout-report-"));
    const target = join(dir, "nested", "run");
    const { files, baseline } = await writeReports(target, passingScorecard());
    expect(baseline).toBeUndefined();
    expect(files.map((f) => f.slice(target.length + 1))).toEqual([
      "report.json",
      "report.md",
      "junit.xml",
      "chart-latency.svg",
      "chart-ledger.svg",
      "chart-lag.svg",
    ]);
    expect((await readdir(target)).sort()).toEqual(
      files.map((f) => f.slice(target.length + 1)).sort(),
    );
    const json: unknown = JSON.parse(await readFile(join(target, "report.json"), "utf8"));
    expect(scorecardSchema.parse(json)).toEqual(passingScorecard());
    const md = await readFile(join(target, "report.md"), "utf8");
    expect(md).toContain("![Client poll latency](chart-latency.svg)");
    expect(await readFile(join(target, "junit.xml"), "utf8")).toContain('failures="0"');
  });

  it("compares with a baseline and says so in report.md and junit.xml", async () => {
    dir = await mkdtemp(join(tmpdir(), "blackout-report-"));
    const { baseline } = await writeReports(dir, failingScorecard(), {
      baseline: passingScorecard(),
      marginPct: 20,
    });
    expect(baseline?.regressions).toHaveLength(2);
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain("## Baseline");
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toContain('name="baseline"');
  });

  it("refuses a scorecard that does not match the schema, writing nothing", async () => {
    dir = await mkdtemp(join(tmpdir(), "blackout-report-"));
    const broken = { ...passingScorecard(), schemaVersion: 2 } as unknown as ReturnType<
      typeof passingScorecard
    >;
    await expect(writeReports(join(dir, "run"), broken)).rejects.toThrow(/schemaVersion/);
    expect(await readdir(dir)).toEqual([]);
  });
});
