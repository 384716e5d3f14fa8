import type { TestProject } from "vitest/node";
import { createTestCluster } from "../support/testCluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

/**
 * One cluster for every integration test that only produces and consumes (each with its own
 * topics and groups); tests that kill brokers start a cluster of their own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const { cluster, destroy } = await createTestCluster("shared");
  try {
    await cluster.start();
  } catch (error) {
    await destroy();
    throw error;
  }
  console.log(
    `shared Kafka cluster ready in ${Date.now() - started} ms: ${cluster.bootstrapServers.join(",")}`,
  );
  project.provide("kafkaBrokers", cluster.bootstrapServers);
  return destroy;
}
