// p50, p99 and max over a benchmark's repetitions, the shape every result file uses.
import { percentile } from "../backend/src/ledger/percentile.ts";

export interface Spread {
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Over the values that were measured; a repetition that measured nothing (null) is left out. */
export function spread(values: readonly (number | null)[]): Spread {
  const known = values.filter((v): v is number => v !== null);
  return {
    p50: percentile([...known], 0.5),
    p99: percentile([...known], 0.99),
    max: known.length === 0 ? null : Math.max(...known),
  };
}
