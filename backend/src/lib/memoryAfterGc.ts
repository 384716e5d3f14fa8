// What a Node service keeps alive, as opposed to what it has not yet collected: its heap and
// external memory right after each full garbage collection. A leak shows here as a rising floor;
// resident memory rises too whenever V8 merely grows its heap to allocate faster, and it rarely
// gives those pages back.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { Gauge, type OpenMetricsContentType, type Registry } from "prom-client";

interface AfterGc {
  readonly heap: number;
  readonly external: number;
}

let latest: AfterGc | undefined;
let observer: PerformanceObserver | undefined;

/** One observer for the process, however many registries read it (tests make many). */
function watchMajorCollections(): void {
  if (observer !== undefined) return;
  observer = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (entry) =>
          (Reflect.get(entry, "detail") as { kind?: number } | undefined)?.kind ===
          constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    // Entries arrive after the collection, not in it: what was allocated in between is counted
    // too, a few KiB against a heap of tens of MiB.
    if (!major) return;
    const stats = getHeapStatistics();
    latest = { heap: stats.used_heap_size, external: stats.external_memory };
  });
  observer.observe({ entryTypes: ["gc"] });
}

/** `<prefix>nodejs_memory_after_gc_bytes{kind}`: absent until the process's first full collection. */
export function addMemoryAfterGcMetric(
  registry: Registry<OpenMetricsContentType>,
  prefix: string,
): void {
  watchMajorCollections();
  new Gauge({
    name: `${prefix}nodejs_memory_after_gc_bytes`,
    help: "Heap used and external memory (Buffers, ArrayBuffers) right after the latest full garbage collection: what the process keeps alive.",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      if (latest === undefined) return;
      this.set({ kind: "heap" }, latest.heap);
      this.set({ kind: "external" }, latest.external);
    },
  });
}
