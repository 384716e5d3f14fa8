/**
 * The most records per second a producer may be set to (its API, its environment, a scenario's
 * `rate` step). Kafka's own producer tool wrote 55 000-85 000 records/s on the lab's 2 cores
 * (docs/benchmarks.md, "Throughput"): the cap must not be what limits a throughput benchmark.
 */
export const MAX_RATE_PER_SECOND = 50_000;
