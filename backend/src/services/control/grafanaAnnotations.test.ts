import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import type { Fault } from "../../contract/fault.ts";
import { FIXTURE_T0 as t0, consumerKillFault as consumerKill } from "./fault.fixture.ts";
import { createGrafanaAnnotations, type AnnotationResult } from "./grafanaAnnotations.ts";

const token = "glsa_test_token";

const completeReport: Partial<Fault["report"]> = {
  status: "complete",
  podRecoveryMs: 4200,
  lagRecoveryMs: 9100,
  clientRecovery: { clients: 20, pending: 0, neverNoticed: 12, p50Ms: 0, p99Ms: 1100, maxMs: 1300 },
  totals: { missing: 0, duplicates: 0, staleReads: 3, failedPolls: 12, fellBehind: 0 },
  windowEnd: t0 + 60_000,
};

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A stand-in for Grafana's annotations API: what it was asked, and what it holds. */
async function fakeGrafana(behaviour: "answer" | "hang" | "refuse" = "answer") {
  const seen: Seen[] = [];
  const stored: { id: number; tags: string[] }[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const body: unknown = raw === "" ? undefined : JSON.parse(raw);
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        contentType: request.headers["content-type"],
        body,
      });
      if (behaviour === "hang") return;
      response.setHeader("content-type", "application/json");
      if (behaviour === "refuse") {
        response.statusCode = 401;
        response.end('{"message":"invalid API key"}');
        return;
      }
      const url = new URL(request.url ?? "/", "http://grafana");
      if (request.method === "GET") {
        const tags = url.searchParams.getAll("tags");
        const found = stored.filter((a) => tags.every((tag) => a.tags.includes(tag)));
        response.end(JSON.stringify(found.map((a) => ({ id: a.id, tags: a.tags }))));
      } else if (request.method === "POST") {
        const id = stored.length + 1;
        stored.push({ id, tags: (body as { tags: string[] }).tags });
        response.end(JSON.stringify({ message: "Annotation added", id }));
      } else {
        response.end(JSON.stringify({ message: "Annotation patched" }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, seen, stored };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function annotations(url: string, timeoutMs = 2000) {
  const results: AnnotationResult[] = [];
  const grafana = createGrafanaAnnotations({
    url: `${url}/`,
    token,
    fetch,
    logger: createLogger({ name: "test", level: "silent" }),
    timeoutMs,
    onResult: (result) => results.push(result),
  });
  return { grafana, results };
}

describe("Grafana annotations", () => {
  it("draws a fault as a region: created at t0, its end and text set when the report completes", async () => {
    const { url, seen } = await fakeGrafana();
    const { grafana, results } = annotations(url);

    grafana.faultChanged(consumerKill());
    grafana.faultChanged(consumerKill({ podRecoveryMs: 4200 }));
    grafana.faultChanged(consumerKill(completeReport));
    grafana.faultChanged(consumerKill(completeReport));
    await grafana.drain();

    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /api/annotations?tags=blackout&tags=20261206T153723Z-consumer-1-578&limit=1",
      "POST /api/annotations",
      "PATCH /api/annotations/1",
    ]);
    for (const request of seen) expect(request.authorization).toBe(`Bearer ${token}`);
    const tags = [
      "blackout",
      "consumer",
      "kill",
      "consumer-1",
      "hard",
      "20261206T153723Z-consumer-1-578",
    ];
    expect(seen[1]).toMatchObject({
      contentType: "application/json",
      body: {
        time: t0,
        timeEnd: t0,
        tags,
        text: "kill consumer-1 (hard) by api: recovering (fault 20261206T153723Z-consumer-1-578)",
      },
    });
    expect(seen[2]?.body).toEqual({
      time: t0,
      timeEnd: t0 + 9100,
      tags,
      text: "kill consumer-1 (hard) by api: recovered: pod 4.2 s, client p99 1.1 s, lag 9.1 s; missing 0, duplicates 0, stale reads 3, failed polls 12 (fault 20261206T153723Z-consumer-1-578)",
    });
    expect(results).toEqual(["created", "updated"]);
  });

  it("finds the region again after a restart instead of drawing the fault twice", async () => {
    const { url, seen } = await fakeGrafana();
    const first = annotations(url);
    first.grafana.faultChanged(consumerKill());
    await first.grafana.drain();

    const restarted = annotations(url);
    restarted.grafana.faultChanged(consumerKill(completeReport));
    await restarted.grafana.drain();

    expect(seen.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(seen.at(-1)?.url).toBe("/api/annotations/1");
    expect(restarted.results).toEqual(["found", "updated"]);
  });

  it("never makes a fault wait for a Grafana that does not answer, and goes on after it", async () => {
    const hanging = await fakeGrafana("hang");
    const { grafana, results } = annotations(hanging.url, 300);

    const started = performance.now();
    grafana.faultChanged(consumerKill());
    grafana.faultChanged({ ...consumerKill(), id: "f-2" });
    expect(performance.now() - started).toBeLessThan(50);
    await grafana.drain();

    expect(results).toEqual(["failed", "failed"]);
    expect(hanging.seen).toHaveLength(2);
  });

  it("counts a refused token as a failure, logged, not thrown", async () => {
    const { url } = await fakeGrafana("refuse");
    const { grafana, results } = annotations(url);
    grafana.faultChanged(consumerKill());
    await grafana.drain();
    expect(results).toEqual(["failed"]);
  });
});
