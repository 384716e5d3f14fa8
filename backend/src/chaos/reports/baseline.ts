import { formatDuration } from "../../contract/formatDuration.ts";
import type { Scorecard } from "../../contract/scorecard.ts";

export interface BaselineOptions {
  /** How much worse (in %) the worst client recovery p99 may get before it is a regression. */
  readonly marginPct: number;
  /**
   * And by at least this much (ms): recoveries near 0 (a consumer kill the gateway routes around)
   * vary by hundreds of ms from run to run, which would be a large percentage of nothing.
   */
  readonly slackMs?: number;
}

export interface BaselineComparison {
  /** Each one fails the run (exit 1). */
  readonly regressions: string[];
  /** Worth a look, not a failure: e.g. the two runs' labs were configured differently. */
  readonly warnings: string[];
}

const DEFAULT_SLACK_MS = 500;

/** The worst client recovery p99 over the run's faults; null when no fault has one. */
function worstClientP99(scorecard: Scorecard): number | null {
  const values = scorecard.faults
    .map((f) => f.report.clientRecovery?.p99Ms)
    .filter((v): v is number => typeof v === "number");
  return values.length === 0 ? null : Math.max(...values);
}

/**
 * Compares a run with an earlier run of the same scenario (CI keeps the last good report.json): a
 * regression when clients took noticeably longer to recover, or when records went missing that
 * did not before.
 */
export function compareWithBaseline(
  current: Scorecard,
  baseline: Scorecard,
  options: BaselineOptions,
): BaselineComparison {
  const regressions: string[] = [];
  const warnings: string[] = [];
  const slackMs = options.slackMs ?? DEFAULT_SLACK_MS;

  if (current.run.scenario !== baseline.run.scenario) {
    warnings.push(
      `the baseline is another scenario (${baseline.run.scenario}, this is ${current.run.scenario})`,
    );
  }
  if (current.lab.configHash !== baseline.lab.configHash) {
    warnings.push(
      `the lab's configuration differs from the baseline's (config hash ${current.lab.configHash.slice(0, 12)} vs ${baseline.lab.configHash.slice(0, 12)}): the figures may not be comparable`,
    );
  }

  const now = worstClientP99(current);
  const before = worstClientP99(baseline);
  if (now !== null && before !== null) {
    const limit = Math.max(before * (1 + options.marginPct / 100), before + slackMs);
    if (now > limit) {
      const pct = before > 0 ? ` (+${Math.round(((now - before) / before) * 100)} %)` : "";
      regressions.push(
        `client recovery p99 (worst fault) rose from ${formatDuration(before)} to ${formatDuration(now)}${pct}, more than the ${options.marginPct} % margin`,
      );
    }
  } else if (before !== null) {
    warnings.push(
      `client recovery p99 not measured in this run (baseline ${formatDuration(before)}): not compared`,
    );
  }

  const missingNow = current.totals?.missing ?? null;
  const missingBefore = baseline.totals?.missing ?? 0;
  if (missingNow === null) {
    warnings.push("this run has no ledger totals: missing records not compared");
  } else if (missingNow > missingBefore) {
    regressions.push(`${missingNow} records went missing (baseline: ${missingBefore})`);
  }
  return { regressions, warnings };
}
