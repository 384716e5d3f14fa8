/** A scenario's `rate` step: `PUT /api/rate` on the producer, by its name. */
export async function setProducerRate(
  urls: Readonly<Record<string, string>>,
  producer: string,
  perSecond: number,
): Promise<void> {
  const url = urls[producer];
  if (url === undefined) {
    throw new Error(
      `no URL for ${producer}; PRODUCER_URLS knows ${Object.keys(urls).join(", ") || "none"}`,
    );
  }
  const response = await fetch(`${url}/api/rate`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ perSecond }),
    signal: AbortSignal.timeout(5000),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`${producer} refused the rate: ${response.status} ${body}`);
}
