import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_KAFKA_NODES } from "../kafka/brokerProperties.ts";
import { commonConfigSchema, csv, port, positiveInt } from "../lib/config.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const threePorts = (defaults: number[]) =>
  csv(port())
    .refine((ports) => ports.length === 3, "expected three ports, one per Kafka node")
    .default(defaults);

/** What `npm start` reads from the environment (DESIGN §3 defaults). */
export const labConfigSchema = commonConfigSchema.extend({
  KAFKA_BROKER_PORTS: threePorts(DEFAULT_KAFKA_NODES.map((n) => n.brokerPort)),
  KAFKA_CONTROLLER_PORTS: threePorts(DEFAULT_KAFKA_NODES.map((n) => n.controllerPort)),
  KAFKA_HEAP_MB: positiveInt().default(384),
  /** Extra JVM flags for every broker, space separated (e.g. GC logging, or C2 back on). */
  KAFKA_JVM_OPTS: z
    .string()
    .transform((raw) => raw.split(/\s+/).filter((flag) => flag !== ""))
    .default([]),
  /** Broker data and logs; kept between starts so that a restart is a warm start. */
  BLACKOUT_DATA_DIR: z.string().default(`${repoRoot}.blackout`),
});

export type LabConfig = z.output<typeof labConfigSchema>;
