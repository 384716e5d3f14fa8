import type { ServiceProcess } from "./serviceProcess.ts";

export interface RecordsAnswer {
  records: { producer: string; seq: number }[];
  cursor: string;
  heads: Record<string, number>;
  truncated: boolean;
}

export async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A metric's value from a service's /metrics, summed over the series that match `labels`. */
export async function metric(service: ServiceProcess, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(service.metricsUrl)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(name) && line.includes(labels))
    .filter((line) => line.slice(name.length, name.length + 1).match(/[{ ]/))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/** A consumer's whole view, paged through its records API from the first number. */
export async function wholeView(
  consumer: ServiceProcess,
  producerIds: string[],
): Promise<Map<string, number[]>> {
  const seqs = new Map<string, number[]>(producerIds.map((id) => [id, []]));
  let cursor = producerIds.map((id) => `${id}:0`).join(",");
  for (;;) {
    const answer = await json<RecordsAnswer>(
      `${consumer.url}/api/records?cursor=${encodeURIComponent(cursor)}`,
    );
    for (const { producer, seq } of answer.records) seqs.get(producer)?.push(seq);
    cursor = answer.cursor;
    if (!answer.truncated) return seqs;
  }
}
