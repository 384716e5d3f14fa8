/** Prometheus's HTTP API, as the tests read it. */

async function apiData<T>(baseUrl: string, path: string, params: Record<string, string>) {
  const response = await fetch(`${baseUrl}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error ?? "failed"}`);
  return body.data;
}

/** An instant query's samples: each series' labels and value. */
export async function querySamples(
  baseUrl: string,
  query: string,
): Promise<{ labels: Record<string, string>; value: number }[]> {
  const data = await apiData<{
    result: { metric: Record<string, string>; value: [number, string] }[];
  }>(baseUrl, "/api/v1/query", { query });
  return data.result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }));
}

/** The labels of every exemplar stored for the query's series in the last `minutes`. */
export async function exemplarLabels(
  baseUrl: string,
  query: string,
  minutes = 15,
): Promise<Record<string, string>[]> {
  const end = Date.now() / 1000;
  const data = await apiData<{ exemplars: { labels: Record<string, string> }[] }[]>(
    baseUrl,
    "/api/v1/query_exemplars",
    { query, start: String(end - minutes * 60), end: String(end) },
  );
  return data.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels));
}

/** A range query over the last `minutes`: each series' labels and how many points it has. */
export async function queryRange(
  baseUrl: string,
  query: string,
  minutes: number,
  stepSeconds = 5,
): Promise<{ labels: Record<string, string>; points: number }[]> {
  const end = Date.now() / 1000;
  const data = await apiData<{ result: { metric: Record<string, string>; values: unknown[] }[] }>(
    baseUrl,
    "/api/v1/query_range",
    { query, start: String(end - minutes * 60), end: String(end), step: String(stepSeconds) },
  );
  return data.result.map((series) => ({ labels: series.metric, points: series.values.length }));
}

/** A range query's values, one series: the first series' [seconds, value] points. */
export async function rangeValues(
  baseUrl: string,
  query: string,
  range: { startS: number; endS: number; stepS: number },
): Promise<[number, number][]> {
  const data = await apiData<{ result: { values: [number, string][] }[] }>(
    baseUrl,
    "/api/v1/query_range",
    {
      query,
      start: String(range.startS),
      end: String(range.endS),
      step: String(range.stepS),
    },
  );
  return (data.result[0]?.values ?? []).map(([at, value]) => [at, Number(value)]);
}
