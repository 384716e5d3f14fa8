import { producerFactsSchema, type ProducerFacts } from "../../contract/targets.ts";

export interface ProducerStates {
  /** Asks every producer at once; one that does not answer in time is simply not known. */
  refresh(): Promise<void>;
  /** The latest answer per producer name; a producer that is down has none. */
  latest(): ReadonlyMap<string, ProducerFacts>;
  /** Refreshes every `intervalMs`, one refresh at a time, until stopped. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Producers' own state (rate, last acknowledged number), read over their HTTP API on a loop of
 * its own: a frozen producer makes its answer time out, which must not slow fault tracking.
 */
export function createProducerStates(
  urls: Readonly<Record<string, string>>,
  { timeoutMs = 800, intervalMs = 1000 } = {},
): ProducerStates {
  let latest = new Map<string, ProducerFacts>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  async function ask(url: string): Promise<ProducerFacts | undefined> {
    try {
      const response = await fetch(`${url}/api/state`, { signal: AbortSignal.timeout(timeoutMs) });
      const parsed = producerFactsSchema.safeParse(await response.json());
      return response.ok && parsed.success ? parsed.data : undefined;
    } catch {
      // Killed or frozen: exactly what the lab does to producers. The target's status says so.
      return undefined;
    }
  }
  async function refresh(): Promise<void> {
    const answers = await Promise.all(
      Object.entries(urls).map(async ([name, url]) => [name, await ask(url)] as const),
    );
    latest = new Map(answers.flatMap(([name, facts]) => (facts ? [[name, facts]] : [])));
  }
  function loop(): void {
    running = refresh().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  }
  return {
    refresh,
    latest: () => latest,
    start: loop,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
