/**
 * The most records per second a producer may be set to (its API, its environment, a scenario's
 * `rate` step). Kafka's own producer tool writes well above this on the lab's 2 cores
 * (docs/benchmarks.md, "Throughput"): the cap must not be what limits a throughput benchmark.
 */
export const MAX_RATE_PER_SECOND = 50_000;
