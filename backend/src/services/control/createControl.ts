import type Koa from "koa";
import { Server } from "socket.io";
import type { Orchestrator } from "../../chaos/orchestrators/orchestrator.ts";
import { readScenarioLibrary } from "../../chaos/scenarios/scenarioLibrary.ts";
import type { Scorecard } from "../../contract/scorecard.ts";
import { STEADY_STATE_MS } from "../../contract/steadyState.ts";
import type { KafkaAdminView } from "../../kafka/kafkaAdminView.ts";
import { createLagMetrics } from "../../kafka/lagMetrics.ts";
import { listen, type RunningServer } from "../../lib/httpApp.ts";
import type { Logger } from "../../lib/logger.ts";
import { createTokenBucket } from "../../lib/tokenBucket.ts";
import { createControlApp, type ControlAppOptions } from "./controlApp.ts";
import { type Topology } from "../../contract/topology.ts";
import { isLoopback, type ControlConfig } from "./controlConfig.ts";
import { createControlMetrics } from "./controlMetrics.ts";
import { createFaultTracker, type FaultStore, type FaultTracker } from "./faultTracker.ts";
import type { FloorSettingsSource } from "./floorSettingsSource.ts";
import { createFleetFeed, type FleetFeed } from "./fleetFeed.ts";
import { createFleetLink } from "./fleetLink.ts";
import { createGrafanaAnnotations } from "./grafanaAnnotations.ts";
import { createKafkaSeries } from "./kafkaSeries.ts";
import { createKafkaWatch } from "./kafkaWatch.ts";
import { tokenMatches } from "./operatorToken.ts";
import { isOwnOrigin } from "./origins.ts";
import { setProducerRate } from "./producerRate.ts";
import { createProducerStates } from "./producerStates.ts";
import { createScenarioRunner, type RunStore, type ScenarioRunner } from "./scenarioRunner.ts";
import { describeTargets } from "./topology.ts";
import type { ControlCommands, ControlEvents } from "../../contract/controlEvents.ts";

/**
 * Freezes whose planned end is this long past are resumed too (a Kubernetes pod left frozen since
 * then is thawed at once): the longest freeze, 10 minutes.
 */
const RESUME_MS = 600_000;

export interface ControlDeps {
  readonly config: ControlConfig;
  readonly logger: Logger;
  readonly orchestrator: Orchestrator;
  /** The fault timeline (blackout.faults, or memory where there is no Kafka); control closes it. */
  readonly store: FaultStore & { ensure(): Promise<void>; close(): Promise<void> };
  /** Scenario runs (blackout.runs, or memory where there is no Kafka); control closes it. */
  readonly runStore: RunStore & { ensure(): Promise<void>; close(): Promise<void> };
  /**
   * Kafka's own view (leaders, controller, lag) and the brokers' failover settings; undefined
   * where there is no Kafka: no leaders then, and lag recovery reads "never degraded".
   */
  readonly kafka:
    { readonly view: KafkaAdminView; readonly floorSettings: FloorSettingsSource } | undefined;
  readonly versions: Scorecard["lab"]["versions"];
  /** The built dashboard, or undefined to serve `page` instead. */
  readonly dashboardDir: string | undefined;
  readonly page: string;
  readonly now: () => number;
  readonly random: () => number;
  /** Replaces any of the HTTP app's options: tests observe or feed the API through them. */
  readonly app?: Partial<ControlAppOptions>;
}

export interface Control {
  readonly app: Koa;
  /** Listening (HTTP API and socket.io), but not ready before start(). */
  readonly server: RunningServer;
  readonly tracker: FaultTracker;
  readonly runner: ScenarioRunner;
  readonly feed: FleetFeed;
  /** Reads the fault timeline back (and the brokers' settings); a failure is a failed start. */
  load(): Promise<void>;
  /** Follows the orchestrator, polls Kafka and the producers, ticks the tracker; then ready. */
  start(): void;
  /** Stops all of it, what it was given included; Grafana's last regions are waited for 5 s. */
  close(): Promise<void>;
}

/**
 * Control's parts wired together (DESIGN §1 Control API): the fault tracker, the scenario runner,
 * the fleet feed, Kafka's view, the HTTP app and its socket.io pushes, from the dependencies
 * main.ts builds for the real lab and tests build without Kafka.
 */
export async function createControl(deps: ControlDeps): Promise<Control> {
  const { config, logger, orchestrator, store, runStore, kafka } = deps;
  const controlMetrics = createControlMetrics({ faultWindowMs: config.FAULT_WINDOW_MS });
  const feed = createFleetFeed();
  // Attached to the HTTP server once it listens; emits before that reach nobody, as they should.
  // Websockets are not bound by CORS: a page elsewhere on the web could otherwise follow the
  // lab's events through an operator's browser. Only the dashboard (this origin) and non-browser
  // clients (no Origin) connect.
  const io = new Server<ControlCommands, ControlEvents>({
    serveClient: false,
    allowRequest: (request, allow) => {
      const { origin, host = "" } = request.headers;
      allow(null, origin === undefined || isOwnOrigin(origin, host));
    },
  });
  let lastTopology = "";
  const kafkaSeries = createKafkaSeries({ groupPrefix: config.VIEW_GROUP_PREFIX });
  const producerStates = createProducerStates(config.PRODUCER_URLS);

  const watch =
    kafka &&
    createKafkaWatch({
      view: kafka.view,
      lagMetrics: createLagMetrics(controlMetrics.metrics),
      intervalMs: config.KAFKA_POLL_MS,
      // A whole fault window, its minute of steady state, and half a minute of slack.
      historyMs: config.FAULT_WINDOW_MS + STEADY_STATE_MS + 30_000,
      logger,
      onSnapshot: (snapshot) => {
        io.emit("kafka", kafkaSeries.add(snapshot));
        void pushTopology();
      },
    });
  // Faults as Grafana annotation regions, when control may write them (GRAFANA_TOKEN).
  const grafanaApi = config.GRAFANA_API_URL ?? config.GRAFANA_URL;
  const grafana =
    grafanaApi !== undefined && config.GRAFANA_TOKEN !== undefined
      ? createGrafanaAnnotations({
          url: grafanaApi,
          token: config.GRAFANA_TOKEN,
          fetch,
          logger,
          onResult: (result) => controlMetrics.annotationResult(result),
        })
      : undefined;
  const tracker = createFaultTracker({
    orchestrator,
    kafka: watch ?? { leadership: () => undefined, lagSamples: () => [] },
    feed,
    fleet: config.CLIENTS_URL === undefined ? undefined : createFleetLink(config.CLIENTS_URL),
    store,
    logger,
    now: deps.now,
    random: deps.random,
    minAlive: config.MIN_ALIVE,
    faultWindowMs: config.FAULT_WINDOW_MS,
    settleMs: config.SETTLE_MS,
    lagFloor: config.LAG_FLOOR,
    groupPrefix: config.VIEW_GROUP_PREFIX,
    floorSettings: () => kafka?.floorSettings.latest(),
    onChange: (fault) => {
      controlMetrics.faultChanged(fault);
      grafana?.faultChanged(fault);
      io.emit("fault", fault);
    },
  });

  async function topology(): Promise<Topology> {
    const snapshot = watch?.latest();
    return {
      at: deps.now(),
      targets: describeTargets(await orchestrator.targets(), snapshot, tracker.refusal, {
        producers: producerStates.latest(),
        groups: snapshot?.groups ?? [],
        groupPrefix: config.VIEW_GROUP_PREFIX,
      }),
      kafka: snapshot ?? null,
    };
  }

  /** Pushes the topology to subscribers when something in it changed (not merely its time). */
  async function pushTopology(): Promise<void> {
    try {
      const current = await topology();
      const key = JSON.stringify({
        ...current,
        at: 0,
        kafka: current.kafka && { ...current.kafka, at: 0 },
      });
      if (key === lastTopology) return;
      lastTopology = key;
      io.emit("topology", current);
    } catch (error) {
      logger.debug({ err: error }, "topology not available");
    }
  }

  const runner = createScenarioRunner({
    tracker,
    store: runStore,
    feed,
    totalLag: () => {
      const groups = watch?.latest()?.groups ?? [];
      if (groups.length === 0 || groups.some((g) => g.lag === null)) return null;
      return groups.reduce((sum, g) => sum + (g.lag ?? 0), 0);
    },
    setRate: (producer, perSecond) => setProducerRate(config.PRODUCER_URLS, producer, perSecond),
    thawAll: () => orchestrator.thawAll(),
    lab: {
      mode: orchestrator.mode,
      failoverSettings: config.FAILOVER_SETTINGS,
      versions: deps.versions,
      config: async () => {
        const targets = await orchestrator.targets();
        const count = (kind: string) => targets.filter((t) => t.kind === kind).length;
        return {
          brokers: count("broker"),
          producers: count("producer"),
          consumers: count("consumer"),
          clients: feed.latest().reduce((sum, s) => sum + s.summary.clients, 0),
          failoverSettings: config.FAILOVER_SETTINGS,
          minAlive: config.MIN_ALIVE,
          faultWindowMs: config.FAULT_WINDOW_MS,
          settleMs: config.SETTLE_MS,
          lagFloor: config.LAG_FLOOR,
        };
      },
    },
    logger,
    now: deps.now,
    settleTimeoutMs: config.FAULT_WINDOW_MS,
    onUpdate: (state) => io.emit("run", state),
  });

  /**
   * What control's previous process left: the freezes it made (Kubernetes held their thaw timers
   * in that process) and a run it was going through, aborted now, which thaws what is frozen as
   * any abort does.
   */
  async function resumeAfterRestart(): Promise<void> {
    const at = deps.now();
    const freezes = tracker
      .list()
      .filter((f) => f.action === "freeze" && f.t0 + (f.seconds ?? 0) * 1000 > at - RESUME_MS)
      .map((f) => ({ name: f.target, frozenAt: f.t0, until: f.t0 + (f.seconds ?? 0) * 1000 }));
    if (freezes.length > 0) await orchestrator.resumeFreezes(freezes);
    const aborted = await runner.load();
    if (aborted.length > 0) {
      const thawed = await orchestrator.thawAll();
      logger.warn({ runs: aborted.map((r) => r.id), thawed }, "aborted the interrupted runs");
    }
  }

  let ready = false;
  let loaded = false;
  const appOptions: ControlAppOptions = {
    tracker,
    runner,
    feed,
    topology,
    emergencyStop: async () => {
      const aborted = runner.abortAll("emergency stop");
      const thawed = await orchestrator.thawAll();
      logger.warn({ thawed, aborted }, "emergency stop");
      return { thawed, aborted };
    },
    token: config.CONTROL_TOKEN,
    readsNeedToken: !isLoopback(config.HTTP_HOST) && !config.CONTROL_OPEN_READS,
    faultRate: createTokenBucket({
      burst: config.FAULT_RATE_BURST,
      intervalMs: config.FAULT_RATE_INTERVAL_MS,
      now: deps.now,
    }),
    onRateLimited: (route) => controlMetrics.rateLimited(route),
    pageOrigins: config.PAGE_ORIGINS,
    dashboardDir: deps.dashboardDir,
    page: deps.page,
    session: {
      mode: orchestrator.mode,
      links: {
        ...(config.GRAFANA_URL === undefined ? {} : { grafana: config.GRAFANA_URL }),
        ...(config.TRACES_URL === undefined ? {} : { traces: config.TRACES_URL }),
      },
    },
    kafkaSeries: (since) => kafkaSeries.since(since),
    scenarios: () => readScenarioLibrary(config.SCENARIOS_DIR),
    probes: { alive: () => true, ready: () => ready },
    loaded: () => loaded,
    metrics: controlMetrics.metrics,
    logger,
    onSummary: (source, summary) => io.emit("fleet", { source, summary }),
    onEvents: (events) => io.emit("anomaly", events),
    ...deps.app,
  };
  const app = createControlApp(appOptions);
  const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT);
  io.attach(server.server);
  // socket.io's events are reads like the API's GETs: the same token, given as `auth.token`.
  io.use((socket, next) => {
    const { token, readsNeedToken } = appOptions;
    const given: unknown = socket.handshake.auth.token;
    if (
      !readsNeedToken ||
      token === undefined ||
      tokenMatches(token, typeof given === "string" ? given : undefined)
    ) {
      next();
      return;
    }
    next(new Error("following the lab needs the operator token here: connect with auth.token"));
  });
  io.on("connection", (socket) => {
    socket.emit("faults", tracker.list());
    topology().then(
      (current) => socket.emit("topology", current),
      () => undefined,
    );
  });

  let ticking: NodeJS.Timeout | undefined;
  let tickRunning: Promise<void> | undefined;
  let closing = false;
  let unsubscribe = (): void => undefined;
  return {
    app,
    server,
    tracker,
    runner,
    feed,
    async load() {
      // kafkajs retries each call for about 30 s (kafkaClient.ts): a broker that is registered
      // but not serving yet is waited out; a cluster still unreachable after that is a failed start.
      await store.ensure();
      await runStore.ensure();
      await tracker.load();
      await resumeAfterRestart();
      loaded = true;
      await kafka?.floorSettings.refresh();
    },
    start() {
      // Pages that connected while the timeline was being read back got an empty one.
      io.emit("faults", tracker.list());
      const stopFollowing = orchestrator.onEvent((event) => {
        tracker.observe(event);
        io.emit("lifecycle", event);
        void pushTopology();
      });
      unsubscribe = () => void stopFollowing();
      watch?.start();
      producerStates.start();
      // One tick at a time: a tick waits on Kafka and the fleet, which may be what a fault slowed.
      const tick = (): void => {
        // A tick that was running when close() began schedules one more: it must not run.
        if (closing) return;
        tickRunning = tracker
          .tick()
          .then(pushTopology)
          .catch((error: unknown) => logger.error({ err: error }, "fault tracking failed"))
          .finally(() => {
            ticking = setTimeout(tick, 1000);
          });
      };
      tick();
      ready = true;
    },
    async close() {
      closing = true;
      ready = false;
      clearTimeout(ticking);
      await tickRunning;
      unsubscribe();
      await io.close();
      await watch?.stop();
      await producerStates.stop();
      await orchestrator.close();
      await store.close();
      await runStore.close();
      await server.close();
      // The last regions' ends, if Grafana answers soon; a stop never waits on it for long.
      await grafana?.drain(5000);
    },
  };
}
