import type { SessionInfo } from "../../backend/src/contract/topology.ts";
import type { TargetView } from "../../backend/src/contract/targets.ts";

/**
 * Why the Kill and Freeze buttons of a target are disabled, or null when they may be used: the
 * page is read-only, the target is not opted in to chaos, or one of control's guards would
 * refuse (MIN_ALIVE, a target already down or frozen); control gives that reason itself.
 */
export function actionBlock(target: TargetView, session: SessionInfo | null): string | null {
  if (session === null) return "waiting for control";
  if (!session.operator) return "read-only: enter the operator token to act";
  if (!target.chaos) return `${target.name} is not opted in to chaos`;
  return target.refusal;
}
