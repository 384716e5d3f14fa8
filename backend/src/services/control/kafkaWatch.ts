import type { KafkaAdminView } from "../../kafka/kafkaAdminView.ts";
import type { KafkaSnapshot } from "../../contract/kafkaSnapshot.ts";
import type { LagMetrics } from "../../kafka/lagMetrics.ts";
import type { Logger } from "../../lib/logger.ts";
import type { KafkaFacts } from "./faultTracker.ts";
import type { LagSample } from "./lagRecovery.ts";

export interface KafkaWatchOptions {
  readonly view: KafkaAdminView;
  readonly lagMetrics: LagMetrics;
  readonly intervalMs: number;
  /** Lag history kept for lag recovery: a fault window plus its minute of steady state. */
  readonly historyMs: number;
  readonly logger: Logger;
  readonly onSnapshot: (snapshot: KafkaSnapshot) => void;
}

export interface KafkaWatch extends KafkaFacts {
  /** The newest snapshot; undefined before the first one. */
  latest(): KafkaSnapshot | undefined;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Polls Kafka's own view (brokers, leaders, controller, group lag) for control: one snapshot in
 * flight at a time, so a slow cluster (a broker just killed) slows the polling rather than piling
 * requests up. Each snapshot feeds the lag gauge, the lag history and the topology push.
 */
export function createKafkaWatch(options: KafkaWatchOptions): KafkaWatch {
  const { view, logger } = options;
  let latest: KafkaSnapshot | undefined;
  let samples: LagSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  async function poll(): Promise<void> {
    try {
      const snapshot = await view.snapshot();
      latest = snapshot;
      options.lagMetrics.update(snapshot);
      const lag: Record<string, number> = {};
      for (const group of snapshot.groups) {
        if (group.lag !== null && group.error === undefined) lag[group.group] = group.lag;
      }
      samples.push({ at: snapshot.at, lag });
      const oldest = snapshot.at - options.historyMs;
      if ((samples[0]?.at ?? oldest) < oldest) samples = samples.filter((s) => s.at >= oldest);
      if (failing) logger.info("Kafka's view is back");
      failing = false;
      options.onSnapshot(snapshot);
    } catch (error) {
      if (!failing) logger.warn({ err: error }, "cannot read Kafka's view");
      failing = true;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = poll().finally(schedule);
    }, options.intervalMs);
  }

  return {
    latest: () => latest,
    leadership: () => latest,
    lagSamples: () => samples,
    start() {
      running = poll().finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await view.close();
    },
  };
}
