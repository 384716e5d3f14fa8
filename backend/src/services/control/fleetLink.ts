import { clientRecoverySchema, type ClientRecovery } from "../../contract/fault.ts";
import type { FleetLink } from "./faultTracker.ts";

/** The fleet's API (`/api/faults`) over HTTP; per-client times stay in the fleet. */
export function createFleetLink(baseUrl: string, timeoutMs = 2000): FleetLink {
  async function request(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }
  return {
    async follow(id, t0) {
      const response = await request("/api/faults", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id, t0 }),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`fleet refused fault ${id}: ${response.status} ${body}`);
    },
    async recovery(id): Promise<ClientRecovery | undefined> {
      const response = await request(`/api/faults/${encodeURIComponent(id)}/recovery`);
      if (response.status === 404) {
        await response.arrayBuffer();
        return undefined;
      }
      if (!response.ok) throw new Error(`fleet answered ${response.status}`);
      return clientRecoverySchema.parse(await response.json());
    },
  };
}
