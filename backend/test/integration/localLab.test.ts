import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blackoutDashboards } from "../../src/grafana/blackoutDashboards.ts";
import { panelQueries } from "../../src/grafana/panelQueries.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import type { Fault } from "../../src/contract/fault.ts";
import { launchChromium } from "../support/browser.ts";
import { documentedCommands } from "../support/documentedCommands.ts";
import { getTrace, servicesOf, tagsOf, waitForTrace } from "../support/jaeger.ts";
import { exemplarLabels, queryRange, querySamples } from "../support/prometheus.ts";
import { processesMentioning } from "../support/processes.ts";
import { createTestLab, isAlive, type LabRun, type TestLab } from "../support/testLab.ts";

// `npm start -- <flags>` as a user runs it: the whole lab, faults through control's API, a
// control restart, a kill nobody asked control for, Ctrl-C, a second start, and one with
// --kafka-only --fresh. A whole lab on 2 cores takes its time: these tests have their own, longer
// timeouts.
const execFileAsync = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../../..");
let testLab: TestLab;
let controlUrl: string;
let clientsUrl: string;
let gatewayUrl: string;
let prometheusUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  testLab = await createTestLab();
  ({
    control: controlUrl,
    clients: clientsUrl,
    gateway: gatewayUrl,
    prometheus: prometheusUrl,
  } = testLab.urls);
});

afterAll(async () => {
  await testLab.destroy("local-lab-logs");
});

const components = () => testLab.components();

async function inject(body: object): Promise<Fault> {
  const response = await fetch(`${controlUrl}/api/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  expect(response.status, JSON.stringify(answer)).toBe(201);
  return answer as Fault;
}

async function fault(id: string): Promise<Fault | undefined> {
  const response = await fetch(`${controlUrl}/api/faults/${id}`);
  return response.status === 200 ? ((await response.json()) as Fault) : undefined;
}

async function completed(id: string): Promise<Fault> {
  return waitFor(
    async () => {
      const current = await fault(id);
      return current?.report.status === "complete" ? current : undefined;
    },
    { what: `fault ${id} to complete`, timeoutMs: 180_000, intervalMs: 1000 },
  );
}

function expectRecovered(done: Fault): void {
  const { report } = done;
  expect(report.timedOut, JSON.stringify(report)).toBe(false);
  expect(report.podRecoveryMs).toBeGreaterThan(0);
  expect(report.lagRecoveryMs).not.toBeNull();
  // 12 clients: the lab's --clients flag, not the default 200.
  expect(report.clientRecovery).toMatchObject({ clients: 12, pending: 0 });
  expect(report.totals).toMatchObject({ missing: 0 });
}

async function fleetMissing(): Promise<number> {
  const summary = (await (await fetch(`${clientsUrl}/api/summary`)).json()) as { missing: number };
  return summary.missing;
}

/** Ctrl-C: the lab said it stopped, and npm ended with it (npm re-raises the SIGINT it got). */
function expectStopped(exit: number | NodeJS.Signals | null, output: string): void {
  expect(output).toContain("stopped");
  expect(output).not.toContain("stop failed");
  expect([0, "SIGINT"]).toContain(exit);
}

/** `npm start -- <the lab's flags> …args`; `body` once it is up; then Ctrl-C stops all of it. */
async function whileUp(
  args: readonly string[],
  body: (run: LabRun) => Promise<void>,
): Promise<void> {
  const run = testLab.start(args);
  try {
    await run.waitUp();
    await body(run);
    run.interrupt();
    expectStopped(await run.exited, run.output());
    expect(processesMentioning(testLab.dataDir)).toEqual([]);
  } finally {
    run.kill();
  }
}

describe("npm start (the local lab)", () => {
  it("runs the whole lab, records faults with three recovery times, and Ctrl-C stops it all", async () => {
    const run = testLab.start();
    try {
      await run.waitUp();
      const output = run.output();
      for (const name of ["kafka-1", "kafka-2", "kafka-3", "producer-0", "producer-1"]) {
        expect(output).toContain(`${name} ready`);
      }
      for (const name of [
        "consumer-0",
        "consumer-2",
        "gateway",
        "control",
        "clients",
        "prometheus",
        "jaeger",
      ]) {
        expect(output).toContain(`${name} ready`);
      }
      expect(output).toContain(controlUrl);
      expect(processesMentioning(join(testLab.dataDir, "kafka"))).toHaveLength(3);
      const before = await components();
      expect(before.map((c) => c.name).sort()).toEqual(
        [
          "clients",
          "consumer-0",
          "consumer-1",
          "consumer-2",
          "control",
          "gateway",
          "kafka-1",
          "kafka-2",
          "kafka-3",
          "producer-0",
          "producer-1",
          "prometheus",
          "jaeger",
        ].sort(),
      );
      // Prometheus scrapes every service the lab runs.
      await waitFor(
        async () => {
          const { data } = (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
            data: { activeTargets: { labels: { job: string }; health: string }[] };
          };
          const up = new Set(
            data.activeTargets.filter((t) => t.health === "up").map((t) => t.labels.job),
          );
          return ["producer", "consumer", "gateway", "clients", "control"].every((job) =>
            up.has(job),
          );
        },
        { what: "Prometheus to scrape every job", timeoutMs: 30_000, intervalMs: 1000 },
      );
      // It loads the repository's rules (observability/prometheus/rules), and they record.
      const { data: rules } = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: { health: string }[] }[] };
      };
      expect(rules.groups.map((group) => group.name).sort()).toEqual([
        "blackout.alerts",
        "blackout.records",
      ]);
      await waitFor(
        async () => (await querySamples(prometheusUrl, "blackout:client_polls:rate1m")).length > 0,
        { what: "a recorded rule to fill", timeoutMs: 60_000, intervalMs: 2000 },
      );

      // A real browser on the client page (through the gateway) reports to control too.
      const page = await (browser = await launchChromium()).newPage();
      await page.goto(`${gatewayUrl}/`);
      const browserSource = await waitFor(
        async () => {
          const { latest } = (await (await fetch(`${controlUrl}/api/fleet`)).json()) as {
            latest: { source: string; summary: { clients: number; polls: number } }[];
          };
          return latest.find((s) => s.source.startsWith("browser-") && s.summary.polls > 0);
        },
        { what: "the browser page to report to control", timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(browserSource.summary.clients).toBe(1);

      // The clients' steady state: DESIGN §1 takes the minute before a fault as its baseline.
      await new Promise((resolve) => setTimeout(resolve, 15_000));

      // socket.io subscribers hear of a fault as it is injected.
      const socket = connectSocket(controlUrl, { transports: ["websocket"] });
      const heard = new Map<string, number>();
      socket.on("fault", (update: Fault) => {
        if (!heard.has(update.id)) heard.set(update.id, Date.now());
      });
      await waitFor(() => socket.connected, { what: "socket.io to connect", timeoutMs: 10_000 });

      const consumerKill = await inject({ action: "kill", target: "consumer-1", mode: "hard" });
      const heardAt = await waitFor(() => heard.get(consumerKill.id), {
        what: "the fault on socket.io",
        timeoutMs: 5000,
        intervalMs: 20,
      });
      expect(heardAt - consumerKill.t0).toBeLessThan(500);
      socket.close();
      // The floor Kafka sets, from the consumers' session (the test lab's 10 s, no take-over).
      expect(consumerKill.floor).toEqual({
        ms: 10_000,
        because: "the dead member holds its partitions for its session (SESSION_TIMEOUT_MS 10 s)",
      });
      const consumerDone = await completed(consumerKill.id);
      expectRecovered(consumerDone);

      const brokerKill = await inject({ action: "kill", target: "leader-of:0", mode: "hard" });
      expect(brokerKill).toMatchObject({ kind: "broker", selector: "leader-of:0" });
      expect(brokerKill.leads).toContain(0);
      // Read from the running brokers: Kafka's default session, plus an election if the leader
      // of partition 0 was also the active controller.
      expect(brokerKill.floor?.because).toContain("(broker.session.timeout.ms 9 s)");
      const brokerDone = await completed(brokerKill.id);
      expectRecovered(brokerDone);

      // Prometheus saw it as Kafka tells it (the JMX exporter on every node: all three scraped
      // again after the restart) and as control tells it: the fault's series was open from t0
      // until the report completed (Grafana's regions without a token).
      const kafkaSeries = async (query: string) => querySamples(prometheusUrl, query);
      await waitFor(async () => (await kafkaSeries('up{job="kafka"} == 1')).length === 3, {
        what: "Prometheus to scrape all three brokers again",
        timeoutMs: 60_000,
        intervalMs: 2000,
      });
      // The survivors took over the dead broker's leaderships: Kafka's own count moved (under-
      // replicated partitions may come and go between two scrapes with a 1 s restart delay).
      const moves = await kafkaSeries(
        "max_over_time(sum(abs(delta(kafka_server_replicamanager_leadercount[1m])))[10m:5s])",
      );
      expect(moves[0]?.value).toBeGreaterThan(0);
      expect(
        (await kafkaSeries("sum(kafka_server_replicamanager_leadercount)"))[0]?.value,
      ).toBeGreaterThan(0);
      const openSeries = await kafkaSeries(
        `max_over_time(blackout_control_open_fault_start_timestamp_seconds{fault_id="${brokerKill.id}"}[10m])`,
      );
      expect(openSeries[0]?.value).toBe(brokerKill.t0 / 1000);
      expect(openSeries[0]?.labels).toMatchObject({ kind: "broker", action: "kill" });
      // Every panel and annotation of the Grafana dashboards, as Grafana would send it: each
      // parses and has data in this lab's Prometheus after the faults (no Grafana runs here).
      const empty: string[] = [];
      for (const dashboard of Object.values(blackoutDashboards())) {
        const queries = panelQueries(dashboard, {
          rateInterval: "20s",
          interval: "5s",
          range: "10m",
        });
        for (const { where, expr } of queries) {
          const series = await queryRange(prometheusUrl, expr, 10);
          if (!series.some((s) => s.points > 0))
            empty.push(`${dashboard.title} / ${where}: ${expr}`);
        }
      }
      expect(empty).toEqual([]);

      // Kafka's lag in the ecosystem's own names (a partition whose lag Kafka cannot tell this
      // second has no series, so wait for one), control's fault counter, and the audit trail.
      const metrics = await waitFor(
        async () => {
          const text = await (await fetch(`${controlUrl}/metrics`)).text();
          return /kafka_consumergroup_lag\{consumergroup="blackout-view-consumer-\d",topic="blackout\.numbers",partition="\d+"\} \d+/.test(
            text,
          )
            ? text
            : undefined;
        },
        { what: "the consumer group lag gauge", timeoutMs: 30_000, intervalMs: 1000 },
      );
      expect(metrics).toMatch(
        /blackout_control_faults_total\{kind="broker",action="kill",actor="api"\} 1/,
      );
      const audit = (await readFile(join(testLab.dataDir, "logs", "control.log"), "utf8"))
        .split("\n")
        .filter((line) => line.includes('"audit":true'));
      expect(audit.length).toBeGreaterThanOrEqual(2);
      expect(audit[0]).toContain('"target":"consumer-1"');

      // Control restarted: the timeline comes back from Kafka.
      const controlPid = (await components()).find((c) => c.name === "control")?.pid;
      expect(controlPid).toBeDefined();
      process.kill(controlPid ?? 0, "SIGKILL");
      await waitFor(
        async () =>
          (await components()).find((c) => c.name === "control" && c.ready && c.pid !== controlPid),
        { what: "control to be replaced", timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(await fault(consumerKill.id)).toEqual(consumerDone);
      expect(await fault(brokerKill.id)).toEqual(brokerDone);

      // A kill nobody asked control for is a fault too.
      const victim = (await components()).find((c) => c.name === "consumer-2");
      process.kill(victim?.pid ?? 0, "SIGKILL");
      const external = await waitFor(
        async () => {
          const { faults } = (await (await fetch(`${controlUrl}/api/faults`)).json()) as {
            faults: Fault[];
          };
          return faults.find((f) => f.target === "consumer-2" && f.actor === "external");
        },
        { what: "control to record the external kill", timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(external).toMatchObject({ action: "kill", mode: "hard", selector: "observed" });
      expect(await fleetMissing()).toBe(0);

      // Traces, on by default: the consumer kill is found in Jaeger by its fault id, with the
      // supervisor call it made in the same trace, and its recovery once the report completed.
      const tracesUrl = testLab.urls.traces;
      const byId = { "blackout.fault.id": consumerKill.id };
      const injection = await waitForTrace(
        tracesUrl,
        { service: "control", tags: byId, operation: "fault kill" },
        () => true,
        `the span of fault ${consumerKill.id}`,
      );
      const tags = tagsOf(injection);
      expect(tags.get("blackout.fault.target")).toBe("consumer-1");
      expect(tags.get("blackout.fault.mode")).toBe("hard");
      expect(injection.spans.length).toBeGreaterThan(1);
      const recovery = await waitForTrace(
        tracesUrl,
        { service: "control", tags: byId, operation: `fault ${consumerKill.id} recovery` },
        () => true,
        `the recovery span of fault ${consumerKill.id}`,
      );
      // Exemplars (OpenMetrics, kept by Prometheus): the fault's recovery times point to its
      // recovery trace, and a client's latency to the trace of the poll that measured it.
      await waitFor(
        async () =>
          (
            await exemplarLabels(prometheusUrl, "blackout_control_fault_recovery_seconds_bucket")
          ).find((labels) => labels.trace_id === recovery.traceID),
        { what: "the recovery's trace as an exemplar", timeoutMs: 60_000, intervalMs: 2000 },
      );
      await waitFor(
        async () => {
          const exemplars = await exemplarLabels(
            prometheusUrl,
            "blackout_client_latency_seconds_bucket",
          );
          for (const { trace_id: traceId } of exemplars.reverse()) {
            const poll = await getTrace(tracesUrl, traceId ?? "");
            const services = new Set(poll === undefined ? [] : servicesOf(poll));
            if (["clients", "gateway"].every((s) => services.has(s))) {
              if ([...services].some((s) => s.startsWith("consumer-"))) return poll;
            }
          }
          return undefined;
        },
        {
          what: "a client latency exemplar whose poll's trace reaches a consumer",
          timeoutMs: 90_000,
          intervalMs: 2000,
        },
      );
      // One record's journey is one trace: the producer's send, and each consumer's processing.
      await waitForTrace(
        tracesUrl,
        { service: "producer-0", operation: "send blackout.numbers", limit: "50" },
        (trace) =>
          ["consumer-0", "consumer-1", "consumer-2"].every((consumer) =>
            servicesOf(trace, "process blackout.numbers").includes(consumer),
          ),
        "a record's trace with a process span of every consumer",
      );

      // The trace backend stalls (frozen: it accepts connections and never answers), then dies:
      // the lab goes on serving, nothing waits for it, and what could not be exported is counted.
      const jaegerPid = (await components()).find((c) => c.name === "jaeger")?.pid ?? 0;
      const summary = async () =>
        (await (await fetch(`${clientsUrl}/api/summary`)).json()) as {
          polls: number;
          failedPolls: number;
        };
      const beforeStall = await summary();
      process.kill(jaegerPid, "SIGSTOP");
      try {
        await waitFor(
          async () =>
            ((
              await querySamples(
                prometheusUrl,
                'sum(blackout_consumer_trace_spans_dropped_total{reason="export_failed"})',
              )
            )[0]?.value ?? 0) > 0,
          {
            what: "the consumers to count the spans a stalled Jaeger did not take",
            timeoutMs: 90_000,
            intervalMs: 2000,
          },
        );
      } finally {
        process.kill(jaegerPid, "SIGCONT");
      }
      const afterStall = await summary();
      expect(afterStall.polls - beforeStall.polls).toBeGreaterThan(12 * 10);
      expect(afterStall.failedPolls).toBe(beforeStall.failedPolls);
      process.kill(jaegerPid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const afterKill = await summary();
      expect(afterKill.polls - afterStall.polls).toBeGreaterThan(12 * 5);
      expect(afterKill.failedPolls).toBe(afterStall.failedPolls);
      // Prometheus stalls too, a scrape in flight never finished: nothing the lab serves waits
      // for it (services are scraped, they push nothing to it).
      const prometheusPid = (await components()).find((c) => c.name === "prometheus")?.pid;
      if (prometheusPid === undefined) throw new Error("the lab runs no Prometheus");
      process.kill(prometheusPid, "SIGSTOP");
      try {
        await new Promise((resolve) => setTimeout(resolve, 5000));
      } finally {
        process.kill(prometheusPid, "SIGCONT");
      }
      const afterPrometheus = await summary();
      expect(afterPrometheus.polls - afterKill.polls).toBeGreaterThan(12 * 5);
      expect(afterPrometheus.failedPolls).toBe(afterKill.failedPolls);

      await browser.close();
      await components();
      run.interrupt();
      expectStopped(await run.exited, run.output());
      expect(processesMentioning(testLab.dataDir)).toEqual([]);
      for (const pid of testLab.everyPid) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    } finally {
      await browser?.close();
      run.kill();
    }
  }, 600_000);

  it("starts again on the same data without formatting it; the documented Kafka tool lines work against it", async () => {
    await whileUp([], async (run) => {
      expect(run.output()).not.toContain("storage formatted");
      // Each `npm run kafka -- …` line of the README and docs/, as written, from the repository's root;
      // KAFKA_BROKERS points them at this lab as the default ports point them at `npm start`'s.
      const brokers = (testLab.settings.KAFKA_BROKER_PORTS ?? "")
        .split(",")
        .map((port) => `127.0.0.1:${port}`)
        .join(",");
      const commands = documentedCommands("npm run kafka --");
      expect(commands.length).toBeGreaterThanOrEqual(7);
      const said: string[] = [];
      for (const [command = "", ...args] of commands) {
        const { stdout } = await execFileAsync(command, args, {
          cwd: repoRoot,
          env: { ...process.env, KAFKA_BROKERS: brokers },
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        }).catch((error: unknown) => {
          throw new Error(`${[command, ...args].join(" ")} failed: ${String(error)}`);
        });
        said.push(stdout);
      }
      const all = said.join("\n");
      expect(all).toContain("blackout.numbers");
      expect(all).toMatch(/ReplicationFactor: 3/);
      expect(all).toContain("blackout-view-consumer-0");
      expect(all).toMatch(/LeaderId:\s+[123]/);
      expect(all).toMatch(/50000 records sent/);
    });
  }, 300_000);

  it("takes --kafka-only, --fresh and --tuned from npm start: new brokers on wiped data, no services", async () => {
    const clusterId = join(testLab.dataDir, "kafka", "cluster.id");
    const before = (await readFile(clusterId, "utf8")).trim();
    await whileUp(["--kafka-only", "--fresh", "--tuned"], async (run) => {
      const output = run.output();
      expect(output).toContain(`wiped ${join(testLab.dataDir, "kafka")}`);
      expect(output).toContain("kafka-1 storage formatted");
      expect(output).toContain("--kafka-only: no services");
      // The lab's SESSION_TIMEOUT_MS (10 s) is given explicitly, and wins over --tuned's 6 s.
      expect(output).toContain(
        "failover settings (--tuned): consumer session 10000 ms (a restarted consumer takes its group over), broker session 3000 ms (heartbeat 500 ms), Kafka client retries from 100 ms up to 1000 ms, 40 times, metadata refreshed when 1000 ms old, fetches waiting up to 500 ms",
      );
      // The brokers run with the tuned broker session, as Kafka's own tool reports it.
      const brokers = (testLab.settings.KAFKA_BROKER_PORTS ?? "")
        .split(",")
        .map((port) => `127.0.0.1:${port}`)
        .join(",");
      const { stdout } = await execFileAsync(
        "npm",
        ["run", "kafka", "--", "configs", "--describe", "--all"].concat([
          "--entity-type",
          "brokers",
          "--entity-name",
          "1",
        ]),
        { cwd: repoRoot, env: { ...process.env, KAFKA_BROKERS: brokers }, timeout: 120_000 },
      );
      expect(stdout).toMatch(/broker\.session\.timeout\.ms=3000\b/);
      expect(stdout).toMatch(/broker\.heartbeat\.interval\.ms=500\b/);
      expect((await readFile(clusterId, "utf8")).trim()).not.toBe(before);
      expect((await components()).map((c) => c.name).sort()).toEqual([
        "kafka-1",
        "kafka-2",
        "kafka-3",
      ]);
    });
  }, 300_000);

  it("refuses a wrong setting or flag, naming it, before starting anything", async () => {
    for (const [env, args, message] of [
      [
        { KAFKA_HEAP_MB: "lots" },
        [],
        'KAFKA_HEAP_MB: expected a whole number greater than 0, got "lots"',
      ],
      [{}, ["--consumers", "0"], 'CONSUMERS: expected a whole number greater than 0, got "0"'],
      [{}, ["--colour"], "unknown flag --colour"],
    ] as const) {
      // The environment's value counts only where no flag sets the same setting.
      const run = testLab.start(args, { KAFKA_HEAP_MB: undefined }, env);
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain(message);
      expect(run.output()).not.toMatch(/\n\s+at /);
    }
    expect(processesMentioning(testLab.dataDir)).toEqual([]);
  });
});
