import { expect, it } from "vitest";
import { ControlError, createControlClient } from "./controlClient.ts";
import { fault } from "./testData.fixture.ts";

function recordingFetch(answers: [number, unknown][]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push({ url: input as string, init });
    const [status, body] = answers.shift() ?? [500, undefined];
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return Promise.resolve(new Response(text, { status }));
  };
  return { calls, fetchImpl };
}

it("sends the operator token and the fault, and tells an injected fault from a dry run", async () => {
  const { calls, fetchImpl } = recordingFetch([
    [201, fault("f1", 1)],
    [
      200,
      {
        dryRun: true,
        plan: {
          action: "kill",
          victim: "kafka-2",
          kind: "broker",
          mode: "hard",
          leadersMoving: [0],
        },
      },
    ],
  ]);
  let token: string | undefined = "operator-token-0123456789";
  const client = createControlClient({ base: "http://c", token: () => token, fetch: fetchImpl });
  expect(await client.inject({ action: "kill", target: "consumer-1", mode: "hard" })).toMatchObject(
    {
      kind: "injected",
      fault: { id: "f1" },
    },
  );
  expect(calls[0]?.url).toBe("http://c/api/faults");
  expect(calls[0]?.init?.headers).toEqual({
    "content-type": "application/json",
    authorization: "Bearer operator-token-0123456789",
  });
  expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({
    action: "kill",
    target: "consumer-1",
    mode: "hard",
  });
  token = undefined;
  expect(await client.inject({ action: "kill", target: "leader-of:0", dryRun: true })).toEqual({
    kind: "planned",
    plan: { action: "kill", victim: "kafka-2", kind: "broker", mode: "hard", leadersMoving: [0] },
  });
  expect(calls[1]?.init?.headers).toEqual({ "content-type": "application/json" });
});

it("turns an error answer into a ControlError with control's own reason", async () => {
  const { fetchImpl } = recordingFetch([
    [409, { error: "would leave 0 ready consumers" }],
    [502, "<html>bad gateway</html>"],
  ]);
  const client = createControlClient({ token: () => undefined, fetch: fetchImpl });
  const refused = await client
    .inject({ action: "kill", target: "consumer-0" })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ControlError);
  expect(refused).toMatchObject({ status: 409, message: "would leave 0 ready consumers" });
  await expect(client.faults()).rejects.toMatchObject({
    status: 502,
    message: "control answered 502",
  });
});

it("asks for history since a time, and names report downloads", async () => {
  const { calls, fetchImpl } = recordingFetch([
    [200, { latest: [], history: [{ source: "fleet", summary: { at: 1 } }] }],
    [200, { samples: [] }],
  ]);
  const client = createControlClient({ token: () => undefined, fetch: fetchImpl });
  expect(await client.fleet(42)).toEqual([{ source: "fleet", summary: { at: 1 } }]);
  expect(await client.kafkaSeries(43)).toEqual([]);
  expect(calls.map((c) => c.url)).toEqual(["/api/fleet?since=42", "/api/kafka/series?since=43"]);
  expect(client.reportUrl("run 1", "junit.xml")).toBe("/api/runs/run%201/reports/junit.xml");
});
