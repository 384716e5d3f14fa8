/** A run of numbers that never appeared, both ends included. */
export interface Hole {
  readonly from: number;
  readonly to: number;
}

/** What a read-back of the topic found of one producer's sequence. */
export interface ProducerSequence {
  readonly producer: string;
  /** The last number Kafka acknowledged to the producer before the read-back began. */
  readonly lastAcknowledged: number;
  /** Records of this producer read back (duplicates included). */
  readonly records: number;
  /** Extra copies of numbers read more than once: Kafka holds at least once (DESIGN §1). */
  readonly duplicates: number;
  /** Numbers from 1 to `lastAcknowledged` that are not in the topic: acknowledged and lost. */
  readonly holes: readonly Hole[];
  /** How many numbers the holes hold together. */
  readonly missing: number;
}

/**
 * Per producer, what of its sequence is missing from the records read back: every number from 1
 * (a producer's sequence starts there, and survives restarts) up to the last one Kafka
 * acknowledged to it. Numbers past that were produced during the read-back and are not judged.
 * A producer that is only in the records (none acknowledged, or an unknown one) is listed with
 * its duplicates and no holes. Holes come as ranges, so that a lost stretch of a million numbers
 * is one entry.
 */
export function sequenceHoles(
  records: Iterable<{ readonly producer: string; readonly seq: number }>,
  lastAcknowledged: ReadonlyMap<string, number>,
): ProducerSequence[] {
  const seen = new Map<string, Map<number, number>>();
  for (const name of lastAcknowledged.keys()) seen.set(name, new Map());
  for (const { producer, seq } of records) {
    const counts = seen.get(producer) ?? new Map<number, number>();
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
    seen.set(producer, counts);
  }
  return [...seen].map(([producer, counts]) => {
    const last = lastAcknowledged.get(producer) ?? 0;
    const holes: Hole[] = [];
    let openedAt: number | undefined;
    for (let seq = 1; seq <= last + 1; seq++) {
      const present = seq > last || counts.has(seq);
      if (!present && openedAt === undefined) openedAt = seq;
      if (present && openedAt !== undefined) {
        holes.push({ from: openedAt, to: seq - 1 });
        openedAt = undefined;
      }
    }
    let records = 0;
    let duplicates = 0;
    for (const count of counts.values()) {
      records += count;
      if (count > 1) duplicates += count - 1;
    }
    return {
      producer,
      lastAcknowledged: last,
      records,
      duplicates,
      holes,
      missing: holes.reduce((sum, hole) => sum + hole.to - hole.from + 1, 0),
    };
  });
}
