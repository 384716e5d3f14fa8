import { expect, it } from "vitest";
import {
  PRODUCED_COLUMN,
  consumedColumn,
  createKafkaChartSeries,
  lagColumn,
} from "./kafkaChartSeries.ts";

it("charts each consumer's lag and derives produced and consumed records per second", () => {
  const series = createKafkaChartSeries();
  series.add({
    at: 1000,
    lag: { "consumer-1": 0 },
    committed: { "consumer-1": 100 },
    endOffset: 100,
  });
  series.add({
    at: 3000,
    lag: { "consumer-1": 20 },
    committed: { "consumer-1": 120 },
    endOffset: 140,
  });
  series.add({
    at: 4000,
    lag: { "consumer-1": null, "consumer-0": 5 },
    committed: { "consumer-1": null, "consumer-0": 135 },
    endOffset: 140,
  });
  // Positions went back (a reset group): no rate rather than a negative one.
  series.add({
    at: 5000,
    lag: { "consumer-0": 0 },
    committed: { "consumer-0": 10 },
    endOffset: null,
  });
  const { table } = series;
  expect(series.consumers()).toEqual(["consumer-0", "consumer-1"]);
  expect(table.t).toEqual([1, 3, 4, 5]);
  expect(table.column(lagColumn("consumer-1"))).toEqual([0, 20, null, null]);
  expect(table.column(lagColumn("consumer-0"))).toEqual([null, null, 5, 0]);
  expect(table.column(PRODUCED_COLUMN)).toEqual([null, 20, 0, null]);
  expect(table.column(consumedColumn("consumer-1"))).toEqual([null, 10, null, null]);
  expect(table.column(consumedColumn("consumer-0"))).toEqual([null, null, null, null]);
});
