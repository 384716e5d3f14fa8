import { describe, expect, it, vi } from "vitest";
import { clientSummary } from "../../backend/src/contract/clientSummary.fixture.ts";
import type { ControlClient } from "../../backend/src/contract/controlClient.ts";
import { createDashboard, type SocketLike } from "./createDashboard.ts";
import { FLEET_COLUMNS } from "./fleetSeries.ts";
import {
  fault,
  lockedSession,
  operatorSession,
  runState,
  target,
  topology,
} from "./testData.fixture.ts";

/** A socket that delivers what the test emits; the events are control's (`ControlEvents`). */
function fakeSocket() {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const socket = {
    closed: false,
    /** false once control refused it (socket.io's `active`); connect() counts retries. */
    active: true,
    connects: 0,
    connect() {
      socket.connects += 1;
      socket.active = true;
      return socket;
    },
    on(event: string, listener: (...args: never[]) => void) {
      handlers.set(event, listener as (...args: unknown[]) => void);
      return socket;
    },
    close() {
      socket.closed = true;
    },
    emit(event: string, ...args: unknown[]) {
      handlers.get(event)?.(...args);
    },
  };
  return socket;
}

/** socket.io's socket has far more than the dashboard uses; the fake has what it uses. */
const asSocket = (socket: ReturnType<typeof fakeSocket>): SocketLike =>
  socket as unknown as SocketLike;

function fakeClient(overrides: Partial<ControlClient> = {}): ControlClient {
  return {
    baseUrl: "",
    targets: () => Promise.resolve([]),
    session: () => Promise.resolve(operatorSession),
    topology: () => Promise.resolve(topology([target("consumer-0")])),
    faults: () => Promise.resolve([fault("f1", 1000)]),
    fleet: () => Promise.resolve([]),
    anomalies: () => Promise.resolve([]),
    kafkaSeries: () => Promise.resolve([]),
    scenarios: () => Promise.resolve([]),
    runs: () => Promise.resolve([]),
    run: () => Promise.reject(new Error("no run")),
    inject: () => Promise.reject(new Error("not in this test")),
    stop: () => Promise.resolve({ thawed: [], aborted: [] }),
    startRun: () => Promise.resolve({ id: "r" }),
    abortRun: () => Promise.resolve(),
    reportUrl: () => "",
    ...overrides,
  };
}

const summary = (at: number, staleReads: number) => clientSummary({ at, clients: 2, staleReads });

describe("createDashboard", () => {
  it("loads everything once connected, then follows control's events", async () => {
    const socket = fakeSocket();
    const fleet = vi.fn(() => Promise.resolve([{ source: "fleet", summary: summary(5000, 1) }]));
    const dashboard = createDashboard({
      client: fakeClient({
        fleet,
        runs: () =>
          Promise.resolve([{ id: "run-1", scenario: "s", status: "passed", startedAt: 1 }]),
        run: () => Promise.resolve(runState({ status: "passed" })),
      }),
      connect: () => asSocket(socket),
      now: () => 3_600_000 + 10_000,
      chartIntervalMs: 0,
    });
    dashboard.start();
    expect(dashboard.getState().connection).toBe("connecting");
    socket.emit("connect");
    await vi.waitFor(() => expect(dashboard.getState().session).toEqual(operatorSession));
    const loaded = dashboard.getState();
    expect(fleet).toHaveBeenCalledWith(10_000);
    expect(loaded.connection).toBe("live");
    expect(loaded.faults.map((f) => f.id)).toEqual(["f1"]);
    expect(loaded.run?.status).toBe("passed");

    socket.emit("fault", fault("f0", 500));
    socket.emit("fault", fault("f1", 1000, { status: "complete", podRecoveryMs: 30_000 }));
    expect(dashboard.getState().faults.map((f) => [f.id, f.report.podRecoveryMs])).toEqual([
      ["f0", null],
      ["f1", 30_000],
    ]);
    socket.emit("fleet", { source: "fleet", summary: summary(6000, 4) });
    socket.emit("kafka", { at: 6000, lag: { "consumer-0": 3 }, committed: {}, endOffset: null });
    socket.emit("anomaly", [{ type: "stale", at: 6100, client: "client-1" }]);
    await vi.waitFor(() =>
      expect(dashboard.getState().seriesVersion).toBeGreaterThan(loaded.seriesVersion),
    );
    const state = dashboard.getState();
    expect(state.fleet.table.column(FLEET_COLUMNS.staleReads)).toEqual([0, 3]);
    expect(state.kafka.consumers()).toEqual(["consumer-0"]);
    expect(state.anomalies).toHaveLength(1);
    socket.emit("topology", topology([target("consumer-0", { status: "stopped" })]));
    expect(dashboard.getState().topology?.targets[0]?.status).toBe("stopped");
    dashboard.stop();
    expect(socket.closed).toBe(true);
  });

  it("shows a lost connection, and loads again once it is back", async () => {
    const socket = fakeSocket();
    const faults = vi.fn(() => Promise.resolve([fault("f1", 1000)]));
    let clock = 50_000;
    const dashboard = createDashboard({
      client: fakeClient({ faults }),
      connect: () => asSocket(socket),
      now: () => clock,
    });
    dashboard.start();
    socket.emit("connect");
    await vi.waitFor(() => expect(faults).toHaveBeenCalledTimes(1));
    clock = 60_000;
    socket.emit("disconnect");
    clock = 61_000;
    socket.emit("connect_error");
    expect(dashboard.getState()).toMatchObject({ connection: "lost", lostSince: 60_000 });
    faults.mockResolvedValue([fault("f1", 1000), fault("f2", 55_000)]);
    socket.emit("connect");
    expect(dashboard.getState()).toMatchObject({ connection: "live", lostSince: null });
    await vi.waitFor(() => expect(dashboard.getState().faults).toHaveLength(2));
  });

  it("asks for the token when control refuses to show the lab, then loads and connects once given", async () => {
    const socket = fakeSocket();
    const session = vi.fn(() => Promise.resolve(lockedSession));
    const faults = vi.fn(() => Promise.resolve([fault("f1", 1000)]));
    const dashboard = createDashboard({
      client: fakeClient({ session, faults }),
      connect: () => asSocket(socket),
    });
    dashboard.start();
    socket.active = false;
    socket.emit("connect_error", new Error("following the lab needs the operator token here"));
    expect(dashboard.getState()).toMatchObject({ connection: "locked", lostSince: null });
    await vi.waitFor(() => expect(dashboard.getState().session).toEqual(lockedSession));
    expect(faults).not.toHaveBeenCalled();
    expect(socket.connects).toBe(0);
    // The operator gives the token: the session lets this caller see the lab.
    session.mockResolvedValue(operatorSession);
    await dashboard.reload();
    expect(socket.connects).toBe(1);
    expect(dashboard.getState()).toMatchObject({
      connection: "connecting",
      faults: [{ id: "f1" }],
    });
    socket.emit("connect");
    expect(dashboard.getState().connection).toBe("live");
  });

  it("says when control does not answer, and lets a newer load win over a slower older one", async () => {
    const socket = fakeSocket();
    let answer: (value: never[]) => void = () => undefined;
    const slow = new Promise<never[]>((resolve) => (answer = resolve));
    const faults = vi
      .fn<ControlClient["faults"]>()
      .mockReturnValueOnce(Promise.reject(new Error("control answered 500")))
      .mockReturnValueOnce(slow)
      .mockResolvedValueOnce([fault("newer", 1)]);
    const dashboard = createDashboard({
      client: fakeClient({ faults }),
      connect: () => asSocket(socket),
    });
    await dashboard.reload();
    expect(dashboard.getState().loadError).toBe("control answered 500");
    const older = dashboard.reload();
    await dashboard.reload();
    answer([]);
    await older;
    expect(dashboard.getState()).toMatchObject({ loadError: null, faults: [{ id: "newer" }] });
  });
});
