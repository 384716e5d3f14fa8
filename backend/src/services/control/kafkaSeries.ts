import type { KafkaSample, KafkaSnapshot } from "../../contract/kafkaSnapshot.ts";

export interface KafkaSeriesOptions {
  /** View consumers' groups are `<prefix><consumer name>`; other groups are not charted. */
  readonly groupPrefix: string;
  /** How far back samples are kept: the dashboard's charts span an hour. */
  readonly historyMs?: number;
}

export interface KafkaSeries {
  /** Turns a snapshot into a sample, keeps it and returns it. */
  add(snapshot: KafkaSnapshot): KafkaSample;
  /** Samples taken at or after `since`, oldest first. */
  since(since: number): KafkaSample[];
}

/** The sum, null when any value is unknown (the end offsets: all or nothing). */
function sumOfAll(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return sumOfKnown(values);
}

/** The sum of the known values, null when none is: a partition no record went to has no commit. */
function sumOfKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v) => v !== null);
  return known.length === 0 ? null : known.reduce((sum, v) => sum + v, 0);
}

/**
 * An hour of Kafka samples, so that a dashboard opened during a fault still draws the minutes
 * before it. Throughput is the chart's to derive (differences of end offsets and positions).
 */
export function createKafkaSeries(options: KafkaSeriesOptions): KafkaSeries {
  const historyMs = options.historyMs ?? 3_600_000;
  let samples: KafkaSample[] = [];

  return {
    add(snapshot) {
      const lag: Record<string, number | null> = {};
      const committed: Record<string, number | null> = {};
      let endOffset: number | null = null;
      for (const group of snapshot.groups) {
        if (!group.group.startsWith(options.groupPrefix)) continue;
        const consumer = group.group.slice(options.groupPrefix.length);
        const readable = group.error === undefined && group.partitions.length > 0;
        lag[consumer] = readable ? group.lag : null;
        committed[consumer] = readable
          ? sumOfKnown(group.partitions.map((p) => p.committed))
          : null;
        // Every group is read against the same high watermarks: the first complete set will do.
        if (endOffset === null && readable) {
          endOffset = sumOfAll(group.partitions.map((p) => p.end));
        }
      }
      const sample: KafkaSample = { at: snapshot.at, lag, committed, endOffset };
      samples.push(sample);
      const oldest = snapshot.at - historyMs;
      if ((samples[0]?.at ?? oldest) < oldest) samples = samples.filter((s) => s.at >= oldest);
      return sample;
    },
    since(since) {
      return samples.filter((s) => s.at >= since);
    },
  };
}
