import { z } from "zod";

const count = z.number().nonnegative();

/**
 * Clients' ledgers added up (`ledger/clientSummary.ts`): what a fleet process or one browser page
 * pushes to control each second. The counters are totals since that source started and sum over
 * its clients (stalls: outages finished or going on); `longestStallMs` is the longest of any
 * client. Times in ms. Fields a newer source adds are kept as they came.
 */
export const clientSummarySchema = z.looseObject({
  at: z.number(),
  clients: z.number().int().nonnegative(),
  /** Answered plus failed polls. */
  polls: count,
  failedPolls: count,
  freshRecords: count,
  missing: count,
  duplicates: count,
  staleReads: count,
  reordered: count,
  /** Numbers skipped because clients fell behind the view window: overload, not a failover. */
  fellBehind: count,
  stalls: count,
  longestStallMs: count,
  /** Clients in an outage right now. */
  stalledClients: count,
  /** How many clients each consumer answered last: who serves whom now. */
  clientsByConsumer: z.record(z.string().max(128), count),
  /** The median of the clients' own latency p50s; null before any client received records. */
  latencyP50Ms: z.number().nullable(),
  /** The p99 of the clients' own latency p99s: the latency the worst 1 % of clients exceed. */
  latencyP99Ms: z.number().nullable(),
});
export type ClientSummary = z.infer<typeof clientSummarySchema>;

/** An anomaly as a client saw it (the ledger's event plus the client id); kept as it came. */
export const clientEventSchema = z.looseObject({
  type: z.string().max(32),
  at: z.number(),
  client: z.string().max(128),
});
export type ClientEvent = z.infer<typeof clientEventSchema>;

/** A summary and who sent it: the socket.io `fleet` event, `GET /api/fleet`'s history. */
export const sourcedSummarySchema = z.object({ source: z.string(), summary: clientSummarySchema });
export type SourcedSummary = z.infer<typeof sourcedSummarySchema>;

/** `POST /api/fleet/summary`: a summary and, for browser pages, which page it is. */
export const summaryReportSchema = clientSummarySchema.extend({
  /** Which fleet or browser page this is; the simulated fleet sends none. */
  source: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'source must be 1-64 letters, digits, ".", "_", ":" or "-"')
    .default("fleet"),
});

/** `POST /api/fleet/events`: anomalies, up to the 2 000 a fleet sends in one batch, with room. */
export const eventsReportSchema = z.object({ events: z.array(clientEventSchema).max(5000) });

/** `GET /api/fleet`: the newest summary per source and the history since `since`. */
export const fleetAnswerSchema = z.object({
  latest: z.array(sourcedSummarySchema),
  history: z.array(sourcedSummarySchema),
});
