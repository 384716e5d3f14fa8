import type { ClientEvent } from "../../backend/src/contract/fleet.ts";
import type { Fault } from "../../backend/src/contract/fault.ts";
import type { RunState } from "../../backend/src/contract/runs.ts";
import type { Socket } from "socket.io-client";
import type { ControlCommands, ControlEvents } from "../../backend/src/contract/controlEvents.ts";
import type { ControlClient } from "../../backend/src/contract/controlClient.ts";
import type { SessionInfo, Topology } from "../../backend/src/contract/topology.ts";
import type { ScenarioFile } from "../../backend/src/contract/scenarioFile.ts";
import { createFleetSeries, type FleetSeries } from "./fleetSeries.ts";
import { createKafkaChartSeries, type KafkaChartSeries } from "./kafkaChartSeries.ts";

/** `locked`: control refused the live connection, as reads need the operator token there. */
export type ConnectionState = "connecting" | "live" | "lost" | "locked";

export interface DashboardState {
  readonly connection: ConnectionState;
  /** Since when control is out of reach; null while connected. */
  readonly lostSince: number | null;
  readonly session: SessionInfo | null;
  readonly topology: Topology | null;
  /** Oldest first, as control keeps them. */
  readonly faults: readonly Fault[];
  /** The newest run, followed live. */
  readonly run: RunState | null;
  readonly scenarios: readonly ScenarioFile[];
  /** The newest anomalies, newest last. */
  readonly anomalies: readonly ClientEvent[];
  /** The chart series (mutated in place; `seriesVersion` moves when they changed). */
  readonly fleet: FleetSeries;
  readonly kafka: KafkaChartSeries;
  readonly seriesVersion: number;
  /** Why the last load from control failed; null when it worked. */
  readonly loadError: string | null;
}

/** What the dashboard needs of socket.io's client socket, typed with control's events. */
export type SocketLike = Pick<
  Socket<ControlEvents, ControlCommands>,
  "on" | "close" | "connect" | "active"
>;

export interface DashboardOptions {
  readonly client: ControlClient;
  /** Opens the live connection (socket.io's `io()`); it reconnects by itself. */
  readonly connect: () => SocketLike;
  readonly now?: () => number;
  /** How far back the charts reach on load. */
  readonly historyMs?: number;
  /** Coalesces chart updates: charts redraw at most this often. */
  readonly chartIntervalMs?: number;
}

export interface Dashboard {
  // Properties rather than methods: React takes them unbound (useSyncExternalStore).
  readonly getState: () => DashboardState;
  readonly subscribe: (listener: () => void) => () => void;
  start(): void;
  stop(): void;
  /** Loads everything from control again (on connect, after a reconnect, after a new token). */
  reload(): Promise<void>;
}

const MAX_ANOMALIES = 200;

/**
 * The dashboard's state: loaded from control's REST API, then kept live by its socket.io
 * events. After a lost connection everything is loaded again, so the gap fills in from
 * control's own history rather than staying empty.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const now = options.now ?? Date.now;
  const historyMs = options.historyMs ?? 3_600_000;
  const chartIntervalMs = options.chartIntervalMs ?? 1000;
  const listeners = new Set<() => void>();
  let socket: SocketLike | undefined;
  let chartTimer: ReturnType<typeof setTimeout> | undefined;
  let loads = 0;
  let state: DashboardState = {
    connection: "connecting",
    lostSince: null,
    session: null,
    topology: null,
    faults: [],
    run: null,
    scenarios: [],
    anomalies: [],
    fleet: createFleetSeries(),
    kafka: createKafkaChartSeries(),
    seriesVersion: 0,
    loadError: null,
  };

  function set(change: Partial<DashboardState>): void {
    state = { ...state, ...change };
    for (const listener of listeners) listener();
  }

  function seriesChanged(): void {
    chartTimer ??= setTimeout(() => {
      chartTimer = undefined;
      set({ seriesVersion: state.seriesVersion + 1 });
    }, chartIntervalMs);
  }

  function upsertFault(fault: Fault): void {
    const index = state.faults.findIndex((f) => f.id === fault.id);
    const faults =
      index < 0
        ? [...state.faults, fault].sort((a, b) => a.t0 - b.t0)
        : state.faults.map((f, i) => (i === index ? fault : f));
    set({ faults });
  }

  function addAnomalies(events: readonly ClientEvent[]): void {
    state.fleet.addEvents(events);
    set({ anomalies: [...state.anomalies, ...events].slice(-MAX_ANOMALIES) });
    seriesChanged();
  }

  async function reload(): Promise<void> {
    const load = ++loads;
    const { client } = options;
    const since = now() - historyMs;
    try {
      // Control beyond loopback may show the lab to its operator only: the session says so.
      const session = await client.session();
      if (!session.viewer) {
        if (load === loads) set({ session, loadError: null });
        return;
      }
      // Refused before the token was given: socket.io leaves a refusal for the caller to retry.
      if (socket !== undefined && !socket.active) {
        set({ connection: "connecting" });
        socket.connect();
      }
      const [topology, faults, fleet, anomalies, samples, scenarios, runs] = await Promise.all([
        client.topology(),
        client.faults(),
        client.fleet(since),
        client.anomalies(1000),
        client.kafkaSeries(since),
        client.scenarios(),
        client.runs(),
      ]);
      const newest = runs.toSorted((a, b) => b.startedAt - a.startedAt)[0];
      const run = newest === undefined ? null : await client.run(newest.id);
      // A newer load started meanwhile (a reconnect, a token): its answer wins.
      if (load !== loads) return;
      const fleetSeries = createFleetSeries();
      for (const { source, summary } of fleet) fleetSeries.addSummary(source, summary);
      fleetSeries.addEvents(anomalies);
      const kafka = createKafkaChartSeries();
      for (const sample of samples) kafka.add(sample);
      set({
        session,
        topology,
        faults,
        scenarios,
        run,
        anomalies: anomalies.slice(-MAX_ANOMALIES),
        fleet: fleetSeries,
        kafka,
        seriesVersion: state.seriesVersion + 1,
        loadError: null,
      });
    } catch (error) {
      if (load === loads)
        set({ loadError: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      const live = options.connect();
      socket = live;
      live.on("connect", () => {
        set({ connection: "live", lostSince: null });
        void reload();
      });
      live.on("disconnect", () => {
        if (state.connection !== "lost") set({ connection: "lost", lostSince: now() });
      });
      live.on("connect_error", () => {
        if (!live.active) {
          // Refused, not lost: the session shows the token form, and reload() connects again.
          set({ connection: "locked", lostSince: null });
          void reload();
          return;
        }
        if (state.connection !== "lost") set({ connection: "lost", lostSince: now() });
      });
      live.on("topology", (topology) => set({ topology }));
      live.on("faults", (faults) => set({ faults }));
      live.on("fault", (fault) => upsertFault(fault));
      live.on("fleet", ({ source, summary }) => {
        state.fleet.addSummary(source, summary);
        seriesChanged();
      });
      live.on("anomaly", (events) => addAnomalies(events));
      live.on("kafka", (sample) => {
        state.kafka.add(sample);
        seriesChanged();
      });
      live.on("run", (run) => {
        if (state.run === null || state.run.id === run.id || run.status === "running") set({ run });
      });
    },
    stop() {
      clearTimeout(chartTimer);
      socket?.close();
      socket = undefined;
    },
    reload,
  };
}
