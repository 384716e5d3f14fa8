import { z } from "zod";

/** What the dashboard shows of a producer: its `GET /api/state`, as far as control uses it. */
const producerStateSchema = z.object({
  ratePerSecond: z.number(),
  paused: z.boolean(),
  lastAcknowledged: z.number(),
});
export type ProducerFacts = z.infer<typeof producerStateSchema>;

export interface ProducerStates {
  /** Asks every producer at once; one that does not answer in time is simply not known. */
  refresh(): Promise<void>;
  /** The latest answer per producer name; a producer that is down has none. */
  latest(): ReadonlyMap<string, ProducerFacts>;
}

/** Producers' own state (rate, last acknowledged number), read over their HTTP API. */
export function createProducerStates(
  urls: Readonly<Record<string, string>>,
  timeoutMs = 800,
): ProducerStates {
  let latest = new Map<string, ProducerFacts>();
  async function ask(url: string): Promise<ProducerFacts | undefined> {
    try {
      const response = await fetch(`${url}/api/state`, { signal: AbortSignal.timeout(timeoutMs) });
      const parsed = producerStateSchema.safeParse(await response.json());
      return response.ok && parsed.success ? parsed.data : undefined;
    } catch {
      // Killed or frozen: exactly what the lab does to producers. The target's status says so.
      return undefined;
    }
  }
  return {
    async refresh() {
      const answers = await Promise.all(
        Object.entries(urls).map(async ([name, url]) => [name, await ask(url)] as const),
      );
      latest = new Map(answers.flatMap(([name, facts]) => (facts ? [[name, facts]] : [])));
    },
    latest: () => latest,
  };
}
