import type { ProbeResult, ReadinessProbe } from "./backendPool.ts";

/**
 * Asks `GET <baseUrl>/readyz`: ready on a 200 only, as a Kubernetes readiness probe decides
 * (which also accepts 2xx/3xx; the consumers answer 200 or 503). An answer slower than
 * `timeoutMs` is not ready: a frozen consumer must leave rotation.
 */
export function createHttpReadinessProbe(timeoutMs: number): ReadinessProbe {
  return async (baseUrl) => {
    try {
      const response = await fetch(`${baseUrl}/readyz`, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { "user-agent": "blackout-gateway-probe" },
      });
      // Read to the end so that the connection goes back to fetch's pool.
      await response.arrayBuffer();
      return { ready: response.status === 200, detail: String(response.status) };
    } catch (error) {
      return { ready: false, detail: failureDetail(error) };
    }
  };
}

function failureDetail(error: unknown): ProbeResult["detail"] {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timeout";
  // fetch wraps the socket error: the code (ECONNREFUSED) is on its cause.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  return error instanceof Error ? error.message : String(error);
}
