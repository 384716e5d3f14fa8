/** An inclusive run of sequence numbers. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/**
 * What one arriving number was: `new` (above everything seen, possibly opening a gap below it),
 * `late` (a missing number that arrived after all), or `duplicate` (already accounted for).
 */
export type Arrival =
  | { readonly kind: "new"; readonly gap: SeqRange | undefined }
  | { readonly kind: "late" }
  | { readonly kind: "duplicate" };

export interface SequenceTracker {
  /** The highest number accounted for: received, or the position the client subscribed at. */
  readonly highest: number;
  readonly received: number;
  /** Numbers below `highest` that have not arrived (yet). */
  readonly missing: number;
  readonly late: number;
  readonly duplicates: number;
  /** Numbers skipped because the client fell behind the consumer's view window. */
  readonly fellBehind: number;
  accept(seq: number): Arrival;
  /**
   * The consumer no longer holds anything at or below `floor`: the numbers between `highest` and
   * it are skipped (counted as fellBehind, never as missing) and returned; undefined when none.
   */
  skipTo(floor: number): SeqRange | undefined;
  /** The missing numbers still recognised if they arrive late, lowest first. */
  missingRanges(): readonly SeqRange[];
}

/**
 * More separate holes than this means something upstream is badly broken; the oldest hole is then
 * forgotten (its numbers stay counted as missing, a late arrival of them counts as a duplicate) so
 * that a client's memory stays bounded whatever a consumer sends.
 */
export const MAX_MISSING_RANGES = 1024;

/**
 * Accounts for one producer's numbers as one client receives them. `baseline` is the position the
 * client starts after: numbers at or below it are not expected, so they never count as missing.
 */
export function createSequenceTracker(baseline: number): SequenceTracker {
  let highest = baseline;
  let received = 0;
  let missing = 0;
  let late = 0;
  let duplicates = 0;
  let fellBehind = 0;
  // Sorted, disjoint, non-adjacent; normally empty.
  const holes: { from: number; to: number }[] = [];

  function fillHole(seq: number): boolean {
    const index = holes.findIndex((hole) => hole.from <= seq && seq <= hole.to);
    const hole = holes[index];
    if (hole === undefined) return false;
    if (hole.from === hole.to) holes.splice(index, 1);
    else if (seq === hole.from) hole.from += 1;
    else if (seq === hole.to) hole.to -= 1;
    else {
      // A number from the middle splits the hole in two.
      holes.splice(index + 1, 0, { from: seq + 1, to: hole.to });
      hole.to = seq - 1;
      trimHoles();
    }
    return true;
  }

  function trimHoles(): void {
    while (holes.length > MAX_MISSING_RANGES) holes.shift();
  }

  return {
    get highest() {
      return highest;
    },
    get received() {
      return received;
    },
    get missing() {
      return missing;
    },
    get late() {
      return late;
    },
    get duplicates() {
      return duplicates;
    },
    get fellBehind() {
      return fellBehind;
    },
    skipTo(floor) {
      if (floor <= highest) return undefined;
      const skipped = { from: highest + 1, to: floor };
      fellBehind += floor - highest;
      highest = floor;
      return skipped;
    },
    accept(seq) {
      if (seq > highest) {
        let gap: SeqRange | undefined;
        if (seq > highest + 1) {
          gap = { from: highest + 1, to: seq - 1 };
          holes.push({ ...gap });
          trimHoles();
          missing += seq - highest - 1;
        }
        highest = seq;
        received += 1;
        return { kind: "new", gap };
      }
      if (fillHole(seq)) {
        missing -= 1;
        late += 1;
        received += 1;
        return { kind: "late" };
      }
      duplicates += 1;
      return { kind: "duplicate" };
    },
    missingRanges() {
      return holes.map((hole) => ({ from: hole.from, to: hole.to }));
    },
  };
}
