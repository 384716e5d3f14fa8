import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioFile } from "../../contract/scenarioFile.ts";
import { ScenarioError, parseScenario } from "./scenarioParser.ts";

/**
 * The scenario library (`scenarios/*.yaml`), each file parsed so that a broken one is shown with
 * its error instead of failing when started. Read on every call: files edited while control
 * runs are picked up.
 */
export async function readScenarioLibrary(dir: string): Promise<ScenarioFile[]> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(
    names.map(async (fileName): Promise<ScenarioFile> => {
      const yaml = await readFile(join(dir, fileName), "utf8");
      try {
        const scenario = parseScenario(yaml, fileName);
        return {
          fileName,
          name: scenario.name,
          description: scenario.description,
          steps: scenario.steps.length,
          yaml,
        };
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        return { fileName, name: fileName, description: "", steps: 0, yaml, error: error.message };
      }
    }),
  );
}
