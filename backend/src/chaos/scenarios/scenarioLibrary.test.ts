import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readScenarioLibrary } from "./scenarioLibrary.ts";

it("lists the scenario files with their names, and a broken one with the parser's message", async () => {
  const dir = await mkdtemp(join(tmpdir(), "blackout-scenarios-"));
  try {
    const good = "name: one\ndescription: kills one\nsteps:\n  - wait: 1s\n  - wait: 2s\n";
    await writeFile(join(dir, "b-good.yaml"), good);
    await writeFile(join(dir, "a-broken.yml"), "name: two\nsteps:\n  - explode: {}\n");
    await writeFile(join(dir, "README.md"), "not a scenario");
    const library = await readScenarioLibrary(dir);
    expect(library.map((f) => f.fileName)).toEqual(["a-broken.yml", "b-good.yaml"]);
    expect(library[1]).toEqual({
      fileName: "b-good.yaml",
      name: "one",
      description: "kills one",
      steps: 2,
      yaml: good,
    });
    expect(library[0]).toMatchObject({ name: "a-broken.yml", steps: 0 });
    expect(library[0]?.error).toMatch(/^a-broken\.yml:3: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("reads the shipped library without errors", async () => {
  const library = await readScenarioLibrary(join(import.meta.dirname, "../../../../scenarios"));
  expect(library.length).toBeGreaterThanOrEqual(10);
  expect(library.filter((f) => f.error !== undefined)).toEqual([]);
});
