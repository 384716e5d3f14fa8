// The layering of the code (docs/architecture.md#layers) as lint rules: a back-edge fails
// `npm test`. Import paths are relative, so each rule matches parent-directory steps followed by
// the folder that layer must not reach. Tests may reach test helpers; fixtures may not break a rule.
const SERVICES = ["clients", "consumer", "control", "gateway", "producer"];
const TESTS = ["**/*.test.ts", "**/*.test.tsx"];

/** One block: the files of a layer and the import paths they must not use, each with its reason. */
function layer(files, forbidden, ignores = []) {
  return {
    files,
    ignores,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: forbidden.map(([regex, message]) => ({ regex, message })) },
      ],
    },
  };
}

export const layers = [
  layer(
    ["dashboard/src/**/*.{ts,tsx}"],
    [
      [
        "^(\\.\\./)+backend/src/(?!contract/|ledger/)",
        "the dashboard imports only backend/src/contract/ (control's API) and backend/src/ledger/",
      ],
    ],
  ),
  layer(
    ["backend/src/contract/**/*.ts"],
    [
      [
        "^\\.\\./(?!lib/errors\\.ts$)",
        "the contract stands alone: it imports only zod, other contract modules and lib/errors.ts",
      ],
      ["^node:", "the contract runs in the browser (the dashboard): no Node built-ins"],
    ],
    // Fixtures serve control's answers over HTTP to the client's tests.
    ["backend/src/contract/**/*.fixture.ts", ...TESTS],
  ),
  layer(
    ["backend/src/ledger/**/*.ts"],
    [
      ["^(\\.\\./)+(?!contract/)", "the ledger imports only backend/src/contract/"],
      ["^node:", "the ledger runs in the browser (the client page): no Node built-ins"],
    ],
    TESTS,
  ),
  layer(
    ["backend/src/lib/**/*.ts"],
    [["^\\.\\./", "lib/ is the bottom layer: it imports nothing outside lib/"]],
    // The telemetry fixture is a service in miniature: it traces the fleet's own HTTP client.
    ["backend/src/lib/**/*.fixture.ts", ...TESTS],
  ),
  layer(
    ["backend/src/lib/errors.ts"],
    [[".", "lib/errors.ts imports nothing: the contract brings it into the browser"]],
  ),
  layer(
    ["backend/src/cli/**/*.ts", "backend/src/cli.ts"],
    [
      [
        "^(\\.\\.?/)+services/",
        "the CLI talks to control through contract/controlClient.ts, never a service's internals",
      ],
    ],
  ),
  layer(
    ["backend/src/chaos/**/*.ts"],
    [["^(\\.\\./)+services/", "chaos/ never imports a service: services depend on chaos/"]],
  ),
  ...SERVICES.map((service) =>
    layer(
      [`backend/src/services/${service}/**/*.ts`],
      [
        [
          `^(\\.\\./)+(services/)?(${SERVICES.filter((s) => s !== service).join("|")})/`,
          "a service never imports another service's internals: share through contract/ or lib/",
        ],
      ],
    ),
  ),
];
