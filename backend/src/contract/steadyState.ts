/**
 * DESIGN §1: a fault's steady state is the minute before its t0. The clients' latency bound and
 * the consumers' lag bound come from it, so the ledger, the fleet and control must agree on it.
 */
export const STEADY_STATE_MS = 60_000;
