import { defineConfig } from "vitest/config";

// Projects: fast unit tests next to the code, the dashboard's, the deployment files' checks,
// integration tests against a real 3-broker Kafka cluster, and Kubernetes tests against a real
// control plane. Integration files run one at a time: this lab targets 2 cores, and a broker-kill
// test must not compete for CPU with a shared cluster.
export default defineConfig({
  test: {
    globalSetup: ["backend/test/runtimeSetup.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["backend/src/**/*.test.ts", "bench/**/*.test.ts"],
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
      {
        // What docker compose, docker build and Prometheus read, checked without a Docker engine,
        // and what ships with them: no secret in the tracked files, healthy runtime dependencies.
        test: {
          name: "deploy",
          include: ["backend/test/deploy/**/*.test.ts"],
        },
      },
      {
        // A real control plane (etcd, kube-apiserver, controller manager, scheduler) with kwok's
        // fake nodes, in a group of its own: after the unit tests and before the integration
        // files (which run one at a time, last), so that it never shares 2 cores with brokers.
        test: {
          name: "k8s",
          include: ["backend/test/k8s/**/*.test.ts"],
          pool: "forks",
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
