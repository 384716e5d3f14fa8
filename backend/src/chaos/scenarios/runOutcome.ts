import type { Scorecard } from "../../contract/scorecard.ts";

/**
 * How a run that has ended is judged, and the line its progress shows: aborted when something
 * aborted it, an error when a step was refused or failed (the scenario did not run as written),
 * otherwise passed when every SLO holds and failed when one does not.
 */
export function runOutcome(
  scorecard: Pick<Scorecard, "steps" | "slos">,
  abortedBecause: string | undefined,
): { readonly status: Scorecard["run"]["status"]; readonly message: string } {
  const refused = scorecard.steps.some((s) => s.outcome === "refused" || s.outcome === "failed");
  const status: Scorecard["run"]["status"] =
    abortedBecause !== undefined
      ? "aborted"
      : refused
        ? "error"
        : scorecard.slos.every((s) => s.passed)
          ? "passed"
          : "failed";
  const message =
    status === "aborted"
      ? `aborted: ${abortedBecause ?? ""}`
      : status === "error"
        ? "a step was refused: the scenario did not run as written"
        : `${scorecard.slos.filter((s) => s.passed).length}/${scorecard.slos.length} SLOs hold`;
  return { status, message };
}
