import type { KafkaSample } from "../../backend/src/contract/kafkaSnapshot.ts";
import { createTimeTable, type TimeTable } from "./timeTable.ts";

export interface KafkaChartSeries {
  /** Columns `lag:<consumer>`, `consumed:<consumer>` (records/s) and `produced` (records/s). */
  readonly table: TimeTable;
  add(sample: KafkaSample): void;
  /** Every view consumer seen so far, sorted. */
  consumers(): string[];
}

export const lagColumn = (consumer: string) => `lag:${consumer}`;
export const consumedColumn = (consumer: string) => `consumed:${consumer}`;
export const PRODUCED_COLUMN = "produced";

/** A rate between two samples; null when either end is unknown or it went backwards (a reset). */
function rate(now: number | null | undefined, before: number | null | undefined, dtS: number) {
  if (now === null || now === undefined || before === null || before === undefined) return null;
  if (dtS <= 0 || now < before) return null;
  return (now - before) / dtS;
}

/**
 * Kafka's side of the charts from control's samples: each view consumer's lag, and throughput as
 * differences between samples (the topic's end offset for produced, each consumer's committed
 * position for consumed; positions are committed about once a second, so consumed is choppier).
 */
export function createKafkaChartSeries(capacitySeconds?: number): KafkaChartSeries {
  const table = createTimeTable(capacitySeconds);
  const consumers = new Set<string>();
  let previous: KafkaSample | undefined;

  return {
    table,
    add(sample) {
      if (previous !== undefined && sample.at <= previous.at) return;
      const row = table.row(Math.floor(sample.at / 1000));
      const dtS = previous === undefined ? 0 : (sample.at - previous.at) / 1000;
      for (const [consumer, lag] of Object.entries(sample.lag)) {
        consumers.add(consumer);
        table.set(row, lagColumn(consumer), lag);
        table.set(
          row,
          consumedColumn(consumer),
          rate(sample.committed[consumer], previous?.committed[consumer], dtS),
        );
      }
      table.set(row, PRODUCED_COLUMN, rate(sample.endOffset, previous?.endOffset, dtS));
      previous = sample;
    },
    consumers: () => [...consumers].sort(),
  };
}
