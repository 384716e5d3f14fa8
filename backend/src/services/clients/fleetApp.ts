import Router from "@koa/router";
import type Koa from "koa";
import { z } from "zod";
import { createHttpApp } from "../../lib/httpApp.ts";
import { parseBody } from "../../lib/parseBody.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { addOperationalRoutes, type Probes } from "../../lib/serviceLifecycle.ts";
import { clientIndex, type Fleet } from "./fleet.ts";

const faultBody = z.object(
  {
    id: z
      .string({ error: "id must be a string" })
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'id must be 1-128 letters, digits, ".", "_", ":" or "-"'),
    t0: z
      .number({ error: "t0 must be a number (ms since the epoch)" })
      .int("t0 must be a whole number of ms since the epoch")
      .positive("t0 must be a whole number of ms since the epoch"),
  },
  { error: 'expected a JSON object like {"id": "fault-1", "t0": 1767225600000}' },
);

export interface FleetAppOptions {
  fleet: Fleet;
  probes: Probes;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The fleet's HTTP API: fleet totals, one client's ledger, faults to follow and their client
 * recovery times, plus the operational endpoints.
 */
export function createFleetApp(options: FleetAppOptions): Koa {
  const { fleet, logger } = options;
  const app = createHttpApp({ logger });
  const router = new Router();
  addOperationalRoutes(router, options.probes, options.metrics);
  router.get("/api/summary", (ctx) => {
    ctx.body = fleet.summary();
  });
  router.get("/api/clients/:id", (ctx) => {
    const id = ctx.params.id ?? "";
    const index = clientIndex(id);
    if (index === undefined) {
      return ctx.throw(400, `client id must look like "client-7", got ${JSON.stringify(id)}`);
    }
    const snapshot = fleet.clientSnapshot(index);
    if (snapshot === undefined) {
      return ctx.throw(404, `no client ${id}: the fleet has client-0 to client-${fleet.size - 1}`);
    }
    ctx.body = { id, ...snapshot };
  });
  router.post("/api/faults", (ctx) => {
    const { id, t0 } = parseBody(ctx, faultBody);
    const result = fleet.watchFault(id, t0);
    if (result.kind === "created") logger.info({ fault: id, t0 }, "following a fault");
    ctx.status = result.kind === "created" ? 201 : 200;
    ctx.body = { id, t0, clients: fleet.size };
  });
  router.get("/api/faults/:id/recovery", (ctx) => {
    const id = ctx.params.id ?? "";
    const recovery = fleet.faultRecovery(id);
    if (recovery === undefined) return ctx.throw(404, `no fault ${JSON.stringify(id)} is followed`);
    ctx.body = recovery;
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
