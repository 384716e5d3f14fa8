import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Scenario } from "./scenario.ts";
import { ScenarioError, parseScenario } from "./scenarioParser.ts";

const libraryDir = fileURLToPath(new URL("../../../../scenarios/", import.meta.url));
const libraryFiles = readdirSync(libraryDir).filter((file) => file.endsWith(".yaml"));

function readScenario(file: string): Scenario {
  return parseScenario(readFileSync(libraryDir + file, "utf8"), file);
}

/** The ScenarioError that parsing `lines` throws. */
function errorOf(lines: readonly string[]): ScenarioError {
  try {
    parseScenario(lines.join("\n"), "bad.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error("expected a ScenarioError, the scenario parsed");
}

describe("parseScenario", () => {
  it("maps a full file to the Scenario the runner executes", () => {
    const text = [
      "name: broker-hard-kill",
      "description: SIGKILL the leader of partition 0 while clients poll; nothing may go missing.",
      "seed: 42",
      "steady: 1.5m",
      "steps:",
      '  - kill: { target: "leader-of:0", mode: hard }',
      "  - kill: { target: consumer, pick: random, mode: hard }",
      "  - kill:",
      "      target: most-leaders",
      "  - freeze: { target: consumer-1, seconds: 20 }",
      "  - freeze: { target: broker, pick: random, seconds: 600 }",
      "  - wait: 45s",
      "  - wait: { duration: 500ms }",
      "  - wait: 250",
      "  - rate: { producer: producer-0, perSecond: 200 }",
      "  - kill: { target: controller }",
      "slo:",
      "  missing: 0",
      "  duplicates: 0",
      "  staleReads: 100",
      "  failedPolls: 50",
      "  clientRecoveryP99: 12s",
      "  podRecovery: 60000",
      "  lagRecovery: 0.5m",
      'abortWhen: { missing: ">0", staleReads: ">= 500" }',
    ].join("\n");

    expect(parseScenario(text)).toStrictEqual({
      name: "broker-hard-kill",
      description: "SIGKILL the leader of partition 0 while clients poll; nothing may go missing.",
      seed: 42,
      steadyMs: 90_000,
      steps: [
        { type: "kill", target: "leader-of:0", mode: "hard" },
        { type: "kill", target: "random:consumer", mode: "hard" },
        { type: "kill", target: "most-leaders", mode: "graceful" },
        { type: "freeze", target: "consumer-1", seconds: 20 },
        { type: "freeze", target: "random:broker", seconds: 600 },
        { type: "wait", ms: 45_000 },
        { type: "wait", ms: 500 },
        { type: "wait", ms: 250 },
        { type: "rate", producer: "producer-0", perSecond: 200 },
        { type: "kill", target: "controller", mode: "graceful" },
      ],
      slo: {
        missing: 0,
        duplicates: 0,
        staleReads: 100,
        failedPolls: 50,
        clientRecoveryP99: 12_000,
        podRecovery: 60_000,
        lagRecovery: 30_000,
      },
      abortWhen: { missing: { op: ">", value: 0 }, staleReads: { op: ">=", value: 500 } },
    } satisfies Scenario);
  });

  it("fills in the defaults: seed 1, 20 s steady, graceful kills, no SLOs, no abort rules", () => {
    expect(parseScenario("name: minimal\nsteps:\n  - kill: { target: kafka-2 }\n")).toStrictEqual({
      name: "minimal",
      description: "",
      seed: 1,
      steadyMs: 20_000,
      steps: [{ type: "kill", target: "kafka-2", mode: "graceful" }],
      slo: {},
      abortWhen: {},
    } satisfies Scenario);
  });

  it.each([
    [
      "a YAML syntax error",
      ["name: x", "steps:", "  - wait: 45s", "   - wait: 10s"],
      "bad.yaml:4: All sequence items must start at the same column",
    ],
    [
      "an unquoted abort rule (a YAML error, hence the quotes)",
      ["name: x", "steps: [{ wait: 1s }]", "abortWhen: { missing: >0 }"],
      "bad.yaml:3: Plain value cannot start with block scalar indicator >",
    ],
    [
      "a missing name",
      ["# no name", "description: nameless", "steps: [{ wait: 1s }]"],
      "bad.yaml:2: name: required",
    ],
    [
      "a name with capitals",
      ["name: Broker-Kill", "steps: [{ wait: 1s }]"],
      'bad.yaml:1: name: expected lowercase letters, digits and "-", got "Broker-Kill"',
    ],
    [
      "an unknown step type",
      ["name: x", "steps:", "  - wait: 1s", "  - explode: { target: kafka-1 }"],
      "bad.yaml:4: steps[1].explode: unknown step type (expected kill, freeze, wait or rate)",
    ],
    [
      "two step types in one step",
      ["name: x", "steps:", "  - kill: { target: kafka-1 }", "    wait: 1s"],
      "bad.yaml:3: steps[0]: expected one step type (kill, freeze, wait or rate), got kill and wait",
    ],
    [
      "a step that is not a mapping",
      ["name: x", "steps:", "  - kill"],
      'bad.yaml:3: steps[0]: expected a step (kill, freeze, wait or rate), got "kill"',
    ],
    [
      "an unknown top-level key",
      ["name: x", "steps: [{ wait: 1s }]", "slos: { missing: 0 }"],
      "bad.yaml:3: slos: unknown key (expected name, description, seed, steady, steps, slo, abortWhen or failoverSettings)",
    ],
    [
      "an empty key",
      ["name: x", "steps: [{ wait: 1s }]", '"": []'],
      'bad.yaml:3: "": unknown key (expected name, description, seed, steady, steps, slo, abortWhen or failoverSettings)',
    ],
    [
      "failover settings that do not exist",
      ["name: x", "steps: [{ wait: 1s }]", "failoverSettings: fast"],
      'bad.yaml:3: failoverSettings: expected typical or tuned, got "fast"',
    ],
    [
      "an unknown key in a step",
      ["name: x", "steps:", "  - kill:", "      target: kafka-1", "      force: true"],
      "bad.yaml:5: steps[0].kill.force: unknown key (expected target, pick or mode)",
    ],
    [
      "an unknown SLO",
      ["name: x", "steps: [{ wait: 1s }]", "slo:", "  missing: 0", "  missng: 0"],
      "bad.yaml:5: slo.missng: unknown key (expected missing, duplicates, staleReads, failedPolls, clientRecoveryP99, podRecovery or lagRecovery)",
    ],
    [
      "a bad kill mode",
      ["name: x", "steps:", "  - wait: 1s", "  - kill: { target: kafka-1, mode: soft }"],
      'bad.yaml:4: steps[1].kill.mode: expected graceful or hard, got "soft"',
    ],
    [
      "freeze seconds out of range",
      ["name: x", "steps:", "  - freeze: { target: consumer-1, seconds: 900 }"],
      "bad.yaml:3: steps[0].freeze.seconds: expected a whole number from 1 to 600, got 900",
    ],
    [
      "freeze without seconds",
      ["name: x", "steps:", "  - freeze: { target: consumer-1 }"],
      "bad.yaml:3: steps[0].freeze.seconds: required",
    ],
    [
      "a bad duration",
      ["name: x", "steady: 20 sec", "steps: [{ wait: 1s }]"],
      'bad.yaml:2: steady: expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got "20 sec"',
    ],
    [
      "a wait without a duration",
      ["name: x", "steps:", "  - wait:"],
      'bad.yaml:3: steps[0].wait: expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got nothing',
    ],
    [
      "a bad duration in the long form of wait",
      ["name: x", "steps:", "  - wait: { duration: -5s }"],
      'bad.yaml:3: steps[0].wait.duration: expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got "-5s"',
    ],
    [
      "a bad recovery-time SLO",
      ["name: x", "steps: [{ wait: 1s }]", "slo:", "  podRecovery: forever"],
      'bad.yaml:4: slo.podRecovery: expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got "forever"',
    ],
    [
      "a negative count SLO",
      ["name: x", "steps: [{ wait: 1s }]", "slo:", "  missing: -1"],
      "bad.yaml:4: slo.missing: expected a whole number (0 or more), got -1",
    ],
    [
      "pick with a named target",
      ["name: x", "steps:", "  - kill: { target: consumer-1, pick: random }"],
      'bad.yaml:3: steps[0].kill.pick: "pick: random" needs a bare kind as target (broker, producer or consumer), got "consumer-1"',
    ],
    [
      "a pick other than random",
      ["name: x", "steps:", "  - kill: { target: consumer, pick: first }"],
      'bad.yaml:3: steps[0].kill.pick: expected random, got "first"',
    ],
    [
      "a bare kind without pick",
      ["name: x", "steps:", "  - freeze:", "      target: consumer", "      seconds: 20"],
      'bad.yaml:4: steps[0].freeze.target: "consumer" is a kind, not a target: add "pick: random" for a random consumer, or name one such as consumer-0',
    ],
    [
      "a target control would not take",
      ["name: x", "steps:", '  - kill: { target: "leader-of:first" }'],
      'bad.yaml:3: steps[0].kill.target: "leader-of:first": leader-of needs a partition number',
    ],
    [
      "a rate for a random producer",
      ["name: x", "steps:", '  - rate: { producer: "random:producer", perSecond: 10 }'],
      'bad.yaml:3: steps[0].rate.producer: expected a producer\'s name such as producer-0, got "random:producer"',
    ],
    [
      "a rate out of range",
      ["name: x", "steps:", "  - rate: { producer: producer-1, perSecond: 60000 }"],
      "bad.yaml:3: steps[0].rate.perSecond: expected a whole number from 0 to 50000, got 60000",
    ],
    [
      "a bad abortWhen op",
      ["name: x", "steps: [{ wait: 1s }]", "abortWhen:", '  missing: "<1"'],
      'bad.yaml:4: abortWhen.missing: expected ">N" or ">=N" with N a whole number, got "<1"',
    ],
    [
      "an abortWhen on a recovery time",
      ["name: x", "steps: [{ wait: 1s }]", 'abortWhen: { podRecovery: ">60000" }'],
      "bad.yaml:3: abortWhen.podRecovery: unknown key (expected missing, duplicates, staleReads or failedPolls)",
    ],
    [
      "empty steps",
      ["name: x", "steps: []"],
      "bad.yaml:2: steps: expected at least one step, got an empty list",
    ],
    [
      "no steps",
      ["name: x", "seed: 1.5"],
      "bad.yaml:2: seed: expected a whole number, got 1.5\nbad.yaml:1: steps: required",
    ],
  ])("reports %s with its line and field", (_, lines, message) => {
    expect(errorOf(lines).message).toBe(message);
  });

  it("reports every issue at once, each with its line, path and message", () => {
    const error = errorOf([
      "name: x",
      "seed: many",
      "steps:",
      "  - kill: { target: consumer, mode: hard }",
      "  - wait: soon",
    ]);
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.name).toBe("ScenarioError");
    expect(error.issues).toStrictEqual([
      { line: 2, path: "seed", message: 'expected a whole number, got "many"' },
      {
        line: 4,
        path: "steps[0].kill.target",
        message:
          '"consumer" is a kind, not a target: add "pick: random" for a random consumer, or name one such as consumer-0',
      },
      {
        line: 5,
        path: "steps[1].wait",
        message: 'expected a duration such as "500ms", "20s", "1.5m" or a number of ms, got "soon"',
      },
    ]);
  });

  it("has no line for what is not in the file, and names the file it was given or 'scenario'", () => {
    expect(errorOf([""]).issues).toStrictEqual([
      {
        line: null,
        path: "",
        message: "expected a scenario (a mapping with name, steps, …), got nothing",
      },
    ]);
    expect(() => parseScenario("name: x\nsteps: [{ wait: *nowhere }]")).toThrow(
      "scenario: Unresolved alias (the anchor must be set before the alias): nowhere",
    );
  });
});

describe("the scenario library", () => {
  it("ships the scenarios the README lists", () => {
    expect(libraryFiles.toSorted()).toStrictEqual([
      "broker-graceful-restart.yaml",
      "broker-leader-hard-kill.yaml",
      "consumer-freeze.yaml",
      "consumer-graceful-kill.yaml",
      "consumer-hard-kill.yaml",
      "controller-hard-kill.yaml",
      "observe.yaml",
      "pair-graceful-consumer-kill.yaml",
      "pair-hard-consumer-kill.yaml",
      "producer-crash.yaml",
      "rolling-consumer-restarts.yaml",
      "tuned-broker-leader-hard-kill.yaml",
      "tuned-consumer-hard-kill.yaml",
    ]);
    const readme = readFileSync(libraryDir + "README.md", "utf8");
    for (const file of libraryFiles) expect(readme).toContain(`\`${file}\``);
  });

  it.each(libraryFiles)(
    "%s parses, is named after its file, and allows nothing missing",
    (file) => {
      const scenario = readScenario(file);
      expect(scenario.name).toBe(file.replace(/\.yaml$/, ""));
      expect(scenario.description).not.toBe("");
      expect(scenario.slo.missing).toBe(0);
      expect(scenario.abortWhen).toStrictEqual({ missing: { op: ">", value: 0 } });
    },
  );

  it("keeps the graceful/hard pair the same in everything but the kill mode", () => {
    const {
      name: gracefulName,
      description: gracefulText,
      ...graceful
    } = readScenario("pair-graceful-consumer-kill.yaml");
    const {
      name: hardName,
      description: hardText,
      ...hard
    } = readScenario("pair-hard-consumer-kill.yaml");
    expect([gracefulName, hardName]).toStrictEqual([
      "pair-graceful-consumer-kill",
      "pair-hard-consumer-kill",
    ]);
    expect(hardText).toBe(gracefulText.replace("graceful", "hard"));
    expect(graceful.steps).toContainEqual({ type: "kill", target: "consumer-1", mode: "graceful" });
    const asHard = {
      ...graceful,
      steps: graceful.steps.map((step) =>
        step.type === "kill" ? { ...step, mode: "hard" } : step,
      ),
    };
    expect(hard).toStrictEqual(asHard);
  });

  it("restarts consumer-0, -1 and -2 gracefully, each once the previous one is back", () => {
    const { steps, slo } = readScenario("rolling-consumer-restarts.yaml");
    expect(steps).toStrictEqual(
      ["consumer-0", "consumer-1", "consumer-2"].flatMap((target) => [
        { type: "kill", target, mode: "graceful" },
        { type: "wait", ms: expect.any(Number) as number },
      ]),
    );
    // Each wait outlasts the bound on a consumer's way back, or the next kill finds two down.
    for (const step of steps) {
      if (step.type === "wait") expect(step.ms).toBeGreaterThan(slo.podRecovery ?? Infinity);
    }
  });
});
