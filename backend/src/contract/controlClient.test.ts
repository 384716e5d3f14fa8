import { afterEach, describe, expect, it } from "vitest";
import { createFakeControl, type FakeControl, type FakeRoute } from "./fakeControl.fixture.ts";
import { ControlError, createControlClient, describeError } from "./controlClient.ts";
import { clientSummary } from "./clientSummary.fixture.ts";
import { openReport } from "./fault.ts";

let control: FakeControl | undefined;
afterEach(async () => {
  await control?.close();
  control = undefined;
});

async function serve(route: FakeRoute): Promise<FakeControl> {
  control = await createFakeControl(route);
  return control;
}

const fault = {
  id: "f1",
  t0: 1,
  target: "consumer-1",
  kind: "consumer",
  action: "freeze",
  seconds: 20,
  actor: "api",
  selector: "consumer-1",
  report: openReport(),
};

describe("control's client", () => {
  it("sends the current token, injects a freeze and tells a fault from a dry run's plan", async () => {
    const plan = {
      action: "kill",
      victim: "kafka-2",
      kind: "broker",
      mode: "hard",
      leadersMoving: [0, 3],
    };
    const { url, requests } = await serve(({ body }) =>
      (body as { dryRun?: boolean }).dryRun === true
        ? { status: 200, body: { dryRun: true, plan } }
        : { status: 201, body: fault },
    );
    let token: string | undefined = "operator-token-0123456789";
    const client = createControlClient({ baseUrl: url, token: () => token });
    expect(await client.inject({ action: "freeze", target: "consumer-1", seconds: 20 })).toEqual({
      kind: "injected",
      fault,
    });
    token = undefined;
    expect(
      await client.inject({ action: "kill", target: "leader-of:0", mode: "hard", dryRun: true }),
    ).toEqual({
      kind: "planned",
      plan,
    });
    expect(requests.map((r) => [r.authorization, r.body])).toEqual([
      ["Bearer operator-token-0123456789", { action: "freeze", target: "consumer-1", seconds: 20 }],
      [undefined, { action: "kill", target: "leader-of:0", mode: "hard", dryRun: true }],
    ]);
  });

  it("reads the dashboard's history and library, and names report downloads", async () => {
    const summary = clientSummary({ at: 5, clients: 2, polls: 1 });
    const sample = {
      at: 5,
      lag: { "consumer-0": 3 },
      committed: { "consumer-0": 9 },
      endOffset: null,
    };
    const scenario = { fileName: "a.yaml", name: "a", description: "d", steps: 1, yaml: "name: a" };
    const session = {
      mode: "local",
      links: {},
      tokenRequired: true,
      operator: false,
      viewer: true,
    };
    const { url, requests } = await serve(({ path }) => {
      if (path.startsWith("/api/fleet"))
        return { status: 200, body: { latest: [], history: [{ source: "fleet", summary }] } };
      if (path.startsWith("/api/kafka/series")) return { status: 200, body: { samples: [sample] } };
      if (path.startsWith("/api/anomalies"))
        return { status: 200, body: { anomalies: [{ type: "gap", at: 1, client: "c" }] } };
      if (path === "/api/scenarios") return { status: 200, body: { scenarios: [scenario] } };
      if (path === "/api/session") return { status: 200, body: session };
      if (path === "/api/stop")
        return { status: 200, body: { thawed: ["consumer-1"], aborted: [] } };
      return undefined;
    });
    const client = createControlClient({ baseUrl: url, actor: "dashboard" });
    expect(await client.fleet(42)).toEqual([{ source: "fleet", summary }]);
    expect(await client.kafkaSeries(43)).toEqual([sample]);
    expect(await client.anomalies(100)).toEqual([{ type: "gap", at: 1, client: "c" }]);
    expect(await client.scenarios()).toEqual([scenario]);
    expect(await client.session()).toEqual(session);
    expect(await client.stop()).toEqual({ thawed: ["consumer-1"], aborted: [] });
    expect(requests.map((r) => r.path)).toEqual([
      "/api/fleet?since=42",
      "/api/kafka/series?since=43",
      "/api/anomalies?limit=100",
      "/api/scenarios",
      "/api/session",
      "/api/stop",
    ]);
    expect(client.reportUrl("run 1", "junit.xml")).toBe(
      `${url}/api/runs/run%201/reports/junit.xml`,
    );
  });

  it("turns control's refusal into a ControlError with its reason, and a misshapen topology too", async () => {
    const { url } = await serve(({ path }) =>
      path === "/api/topology"
        ? { status: 200, body: { at: 1, targets: "none" } }
        : { status: 409, body: { error: "would leave 0 ready consumers" } },
    );
    const client = createControlClient({ baseUrl: url });
    const refused = await client
      .inject({ action: "kill", target: "consumer-0" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlError);
    expect(describeError(refused)).toBe("control answered 409: would leave 0 ready consumers");
    await expect(client.topology()).rejects.toThrow(/something unexpected: .*→ at targets/s);
  });

  it("catches every answer that fails the contract's schema, naming the field", async () => {
    const { url } = await serve(({ path }) => {
      if (path === "/api/faults") return { status: 200, body: { faults: [{ ...fault, t0: "x" }] } };
      if (path === "/api/runs/r1") return { status: 200, body: { id: "r1", status: "odd" } };
      if (path === "/api/targets") return { status: 200, body: [{ name: "kafka-1" }] };
      return undefined;
    });
    const client = createControlClient({ baseUrl: url });
    await expect(client.faults()).rejects.toThrow(/faults\[0\]\.t0/);
    await expect(client.run("r1")).rejects.toThrow(/→ at status.*→ at progress/s);
    await expect(client.targets()).rejects.toThrow(/→ at \[0\]\.kind/);
    await expect(client.faults()).rejects.toBeInstanceOf(ControlError);
  });
});
