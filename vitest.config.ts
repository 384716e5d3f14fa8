import { defineConfig } from "vitest/config";

// Three projects: fast unit tests next to the code, the dashboard's, and integration tests
// against a real 3-broker Kafka cluster. Integration files run one at a time: this lab targets
// 2 cores, and a broker-kill test must not compete for CPU with a shared cluster.
export default defineConfig({
  test: {
    globalSetup: ["backend/test/runtimeSetup.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["backend/src/**/*.test.ts"],
        },
      },
      {
        // The dashboard's logic and components, in a simulated DOM; its end-to-end test runs in
        // real Chromium against a real lab, with the integration tests.
        test: {
          name: "dashboard",
          include: ["dashboard/src/**/*.test.{ts,tsx}"],
          environment: "happy-dom",
        },
      },
      {
        test: {
          name: "integration",
          include: ["backend/test/integration/**/*.test.ts", "backend/test/e2e/**/*.test.ts"],
          globalSetup: ["backend/test/integration/sharedCluster.ts"],
          pool: "forks",
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
