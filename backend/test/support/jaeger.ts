import { waitFor } from "../../src/lib/waitFor.ts";

/** A trace as Jaeger's HTTP query API answers it (`GET /api/traces`). */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly {
    readonly spanID: string;
    readonly operationName: string;
    readonly processID: string;
    readonly tags: readonly { readonly key: string; readonly value: unknown }[];
  }[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

/** Jaeger's answer to a trace search; query: service, operation, tags (an object), limit… */
export async function searchTraces(
  baseUrl: string,
  query: Readonly<Record<string, string | Readonly<Record<string, string>>>>,
): Promise<JaegerTrace[]> {
  const params = new URLSearchParams(
    Object.entries(query).map(([key, value]): [string, string] => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  const response = await fetch(`${baseUrl}/api/traces?${params.toString()}`);
  if (!response.ok) throw new Error(`Jaeger answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

/** The services of a trace's spans (those with this operation name, if given). */
export function servicesOf(trace: JaegerTrace, operation?: string): string[] {
  return trace.spans
    .filter((span) => operation === undefined || span.operationName === operation)
    .map((span) => trace.processes[span.processID]?.serviceName ?? "?");
}

/** Every tag of a trace's spans, by key (the last one wins). */
export function tagsOf(trace: JaegerTrace): Map<string, unknown> {
  return new Map(trace.spans.flatMap((span) => span.tags.map((t) => [t.key, t.value] as const)));
}

/** Waits until a search finds a trace that `accept` takes (spans arrive in batches, seconds late). */
export function waitForTrace(
  baseUrl: string,
  query: Parameters<typeof searchTraces>[1],
  accept: (trace: JaegerTrace) => boolean,
  what: string,
): Promise<JaegerTrace> {
  return waitFor(async () => (await searchTraces(baseUrl, query)).find(accept), {
    what,
    timeoutMs: 60_000,
    intervalMs: 1000,
  });
}

/** One trace by its id, or undefined while Jaeger does not have it. */
export async function getTrace(baseUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${baseUrl}/api/traces/${encodeURIComponent(traceId)}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { data: JaegerTrace[] | null }).data?.[0];
}
