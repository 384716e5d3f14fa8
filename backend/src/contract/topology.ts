import { z } from "zod";
import { kafkaSnapshotSchema } from "./kafkaSnapshot.ts";
import { targetViewSchema } from "./targets.ts";

/** `GET /api/topology` and the socket.io `topology` event: the targets and Kafka's view. */
export const topologySchema = z.object({
  at: z.number(),
  targets: z.array(targetViewSchema),
  /** Kafka's own view (brokers, leaders, ISR, lag); null before it was first read. */
  kafka: kafkaSnapshotSchema.nullable(),
});
export type Topology = z.infer<typeof topologySchema>;

/** `GET /api/session`: what the dashboard may do, and what it links to. */
export const sessionSchema = z.object({
  mode: z.enum(["local", "kubernetes"]),
  links: z.object({ grafana: z.string().optional(), traces: z.string().optional() }),
  /** Mutating calls need the operator token. */
  tokenRequired: z.boolean(),
  /** The caller may act: no token is needed, or it sent the right one. */
  operator: z.boolean(),
  /**
   * The caller may see the lab: reads are open (loopback, or CONTROL_OPEN_READS), or it sent the
   * right token.
   */
  viewer: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionSchema>;
