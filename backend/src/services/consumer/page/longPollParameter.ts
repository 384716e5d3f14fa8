import { MAX_WAIT_MS } from "../../../contract/recordsAnswer.ts";

/**
 * The page long-polls when opened as `/?long-poll=2000` (ms, at most MAX_WAIT_MS); absent,
 * malformed or out of range, it polls every POLL_MS as it always did.
 */
export function longPollParameter(search: string): number {
  const raw = new URLSearchParams(search).get("long-poll");
  if (raw === null || !/^\d{1,5}$/.test(raw)) return 0;
  const ms = Number(raw);
  return ms <= MAX_WAIT_MS ? ms : 0;
}
