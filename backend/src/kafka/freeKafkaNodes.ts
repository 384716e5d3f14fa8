import { freePorts } from "../lib/freePorts.ts";
import { kafkaNodes, type KafkaNodeSpec } from "./brokerProperties.ts";

/**
 * Three nodes on ports the OS just handed out, for clusters that must not collide with the lab or
 * with each other (tests, benchmarks).
 */
export async function freeKafkaNodes(): Promise<KafkaNodeSpec[]> {
  const ports = await freePorts(6);
  return kafkaNodes(ports.slice(0, 3), ports.slice(3));
}
