import { join, resolve } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { layers } from "../../../eslint.layers.js";

const repo = resolve(import.meta.dirname, "../../..");

// The layering rules alone, with TypeScript's parser but without type information: a planted
// file need not exist for the type checker.
const eslint = new ESLint({
  cwd: repo,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ["**/*.ts", "**/*.tsx"], languageOptions: { parser: tseslint.parser } },
    ...layers,
  ],
});

/** The layering messages for one import planted in a file at `file` (relative to the repo). */
async function refusals(file: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from "${from}";\nexport const y = x;\n`, {
    filePath: join(repo, file),
  });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "parse"}: ${m.message}`);
}

describe("the layering rules", () => {
  it.each([
    ["dashboard/src/planted.ts", "../../backend/src/services/control/faultTracker.ts"],
    [
      "dashboard/src/components/planted.tsx",
      "../../../backend/src/chaos/orchestrators/orchestrator.ts",
    ],
    ["dashboard/src/planted.ts", "../../backend/src/lib/logger.ts"],
    ["backend/src/chaos/scenarios/planted.ts", "../../services/control/victimPicker.ts"],
    ["backend/src/ledger/planted.ts", "node:fs"],
    ["backend/src/ledger/planted.ts", "../lib/logger.ts"],
    ["backend/src/lib/planted.ts", "../kafka/kafkaJars.ts"],
    ["backend/src/lib/errors.ts", "./logger.ts"],
    ["backend/src/contract/planted.ts", "../services/control/fleetFeed.ts"],
    ["backend/src/contract/planted.ts", "../lib/logger.ts"],
    ["backend/src/contract/planted.ts", "node:http"],
    ["backend/src/services/consumer/planted.ts", "../control/fleetFeed.ts"],
    ["backend/src/services/consumer/page/planted.ts", "../../clients/fleet.ts"],
    ["backend/src/services/control/planted.ts", "../../services/producer/producerApp.ts"],
    ["backend/src/cli/planted.ts", "../services/control/faultTracker.ts"],
    ["backend/src/cli.ts", "./services/control/controlApp.ts"],
  ])("fail a back-edge: %s importing %s", async (file, from) => {
    const messages = await refusals(file, from);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: /);
  });

  it.each([
    ["dashboard/src/planted.ts", "../../backend/src/contract/fault.ts"],
    ["dashboard/src/planted.ts", "../../backend/src/ledger/ledger.ts"],
    ["backend/src/chaos/reports/planted.ts", "../../contract/fault.ts"],
    ["backend/src/ledger/planted.ts", "../contract/fleet.ts"],
    ["backend/src/lib/planted.ts", "./logger.ts"],
    ["backend/src/contract/planted.ts", "../lib/errors.ts"],
    ["backend/src/services/consumer/planted.ts", "../../lib/logger.ts"],
    ["backend/src/services/consumer/page/planted.ts", "../view.ts"],
    ["backend/src/services/control/planted.ts", "../../chaos/orchestrators/orchestrator.ts"],
    ["backend/src/cli/planted.ts", "../contract/controlClient.ts"],
  ])("allow what the layers allow: %s importing %s", async (file, from) => {
    expect(await refusals(file, from)).toEqual([]);
  });

  it("are part of the configuration `npm run lint` uses", async () => {
    const config = (await new ESLint({ cwd: repo }).calculateConfigForFile(
      join(repo, "backend/src/chaos/orchestrators/orchestrator.ts"),
    )) as { rules?: Record<string, unknown> };
    expect(config.rules?.["no-restricted-imports"]).toBeDefined();
  });
});
