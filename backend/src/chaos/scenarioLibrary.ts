import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ScenarioError, parseScenario } from "./scenarioParser.ts";

/** A scenario file as the dashboard lists it: what it is, its text, and why not if invalid. */
export interface ScenarioFile {
  readonly fileName: string;
  /** The scenario's `name`, or the file name when the file does not parse. */
  readonly name: string;
  readonly description: string;
  readonly steps: number;
  readonly yaml: string;
  /** Set when the file is not a valid scenario: the parser's message (file, line, field). */
  readonly error?: string;
}

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
