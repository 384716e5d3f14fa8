import type { Fault } from "../../contract/fault.ts";
import { fakeFault } from "../../contract/fault.fixture.ts";

/** The t0 of the fixture's fault: 2026-12-06 15:37:23 UTC. */
export const FIXTURE_T0 = Date.UTC(2026, 11, 6, 15, 37, 23);

/** A hard kill of consumer-1 through the API, its report open unless `report` says otherwise. */
export function consumerKillFault(report: Partial<Fault["report"]> = {}): Fault {
  return fakeFault("20261206T153723Z-consumer-1-578", FIXTURE_T0, report);
}
