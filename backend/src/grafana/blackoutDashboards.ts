import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";

/** The uids observability/grafana/provisioning/datasources/blackout.yml fixes. */
const prometheus = { type: "prometheus", uid: "blackout-prometheus" };

interface Query {
  readonly expr: string;
  /** The series' name in the legend, `{{label}}` allowed. */
  readonly legend?: string;
  /** One value per series at the dashboard's end (a table or a stat), not a range. */
  readonly instant?: boolean;
}

function target(query: Query, index: number, exemplars = false): cog.Builder<cog.Dataquery> {
  const builder = new DataqueryBuilder()
    .datasource(prometheus)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend ?? "__auto");
  if (query.instant === true) return builder.instant().format(PromQueryFormat.Table);
  return exemplars ? builder.range().exemplar(true) : builder.range();
}

interface PanelSpec {
  readonly title: string;
  /** What the panel shows and how to read it: Grafana's (i) on the panel. */
  readonly description: string;
  readonly queries: readonly Query[];
  readonly unit?: string;
  readonly width?: number;
}

/** What every panel builder of the SDK has, whatever it draws. */
interface PanelBuilder<P> {
  title(title: string): P;
  description(description: string): P;
  datasource(datasource: typeof prometheus): P;
  unit(unit: string): P;
  span(width: number): P;
  height(height: number): P;
  withTarget(target: cog.Builder<cog.Dataquery>): P;
}

/** A panel of `spec` on the provisioned Prometheus, `width` of 24 columns wide by default. */
function panel<P extends PanelBuilder<P>>(
  builder: P,
  spec: PanelSpec,
  size: { width: number; height: number },
  query: (query: Query, index: number) => cog.Builder<cog.Dataquery>,
): P {
  spec.queries.forEach((q, i) => builder.withTarget(query(q, i)));
  return builder
    .title(spec.title)
    .description(spec.description)
    .datasource(prometheus)
    .unit(spec.unit ?? "short")
    .span(spec.width ?? size.width)
    .height(size.height);
}

function timeseries(spec: PanelSpec, exemplars = false): TimeseriesPanel {
  return panel(new TimeseriesPanel(), spec, { width: 12, height: 8 }, (q, i) =>
    target(q, i, exemplars),
  ).fillOpacity(10);
}

function stat(spec: PanelSpec): StatPanel {
  return panel(new StatPanel(), spec, { width: 6, height: 5 }, target);
}

function table(spec: PanelSpec): TablePanel {
  return panel(new TablePanel(), spec, { width: 24, height: 8 }, (q, i) =>
    target({ ...q, instant: true }, i),
  );
}

/**
 * Every fault as a region, from the series control keeps while the fault recovers: no Grafana
 * token needed (control also writes regions through Grafana's API when it has one).
 */
function faultRegions(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name("Faults")
    .datasource(prometheus)
    .enable(true)
    .iconColor("red")
    .expr(
      "max by (fault_id, target, kind, action) (blackout_control_open_fault_start_timestamp_seconds)",
    )
    .step("5s")
    .titleFormat("{{action}} {{target}}")
    .textFormat("fault {{fault_id}}")
    .tagKeys("kind,target,fault_id");
}

/**
 * The regions control writes through Grafana's API (with GRAFANA_TOKEN): organisation-wide
 * annotations tagged `blackout`, with the recovery times in their text.
 */
function controlRegions(): AnnotationQueryBuilder {
  const byTag: cog.Builder<cog.Dataquery> = {
    build: () => ({
      type: "tags",
      tags: ["blackout"],
      limit: 500,
      matchAny: false,
      _implementsDataqueryVariant() {
        // A marker the SDK's types ask for; JSON leaves it out.
      },
    }),
  };
  return new AnnotationQueryBuilder()
    .name("Fault reports")
    .datasource({ type: "grafana", uid: "-- Grafana --" })
    .enable(true)
    .iconColor("orange")
    .target(byTag);
}

function variable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(prometheus)
    .query({ qryType: 1, query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*");
}

function base(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["blackout"])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh("10s")
    .time({ from: "now-30m", to: "now" })
    .timezone("browser")
    .annotation(faultRegions())
    .annotation(controlRegions());
}

/** "Blackout — failover": what users saw through each fault, and how long each took to heal. */
export function failoverDashboard(): Dashboard {
  return base(
    "blackout-failover",
    "Blackout — failover",
    "What the simulated clients saw through each fault (missing, stale, failed, stalled), the three recovery times, latency, lag and throughput. Faults are the red regions.",
  )
    .withVariable(
      variable("consumer", "consumer", "label_values(blackout_consumer_ready, instance)"),
    )
    .withRow(new RowBuilder("What users saw"))
    .withPanel(
      stat({
        title: "Missing records",
        description:
          "Numbers missing right now, over every simulated client: a later number arrived and these did not. Blackout's promise is that this stays 0 through any single fault.",
        queries: [{ expr: "sum(blackout_client_missing_records)", legend: "missing" }],
      }),
    )
    .withPanel(
      stat({
        title: "Duplicates and stale reads",
        description:
          "Over the dashboard's time range: numbers a client got twice, and answers whose consumer view was behind what the client already had (a stale view after a failover).",
        queries: [
          {
            expr: "sum(increase(blackout_client_duplicate_records_total[$__range]))",
            legend: "duplicates",
          },
          {
            expr: "sum(increase(blackout_client_stale_reads_total[$__range]))",
            legend: "stale reads",
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: "Stalls",
        description:
          "Over the dashboard's time range: finished stretches longer than the clients' STALL_MS without fresh data, summed over clients.",
        queries: [
          {
            expr: "sum(increase(blackout_client_stall_seconds_count[$__range]))",
            legend: "stalls",
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: "Clients",
        description: "Simulated clients polling now (the fleet's CLIENTS).",
        queries: [{ expr: "sum(blackout_client_clients)", legend: "clients" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Polls by result",
        description:
          "The fleet's polls a second: ok, stale (answered but behind), and the failures: timeout, refused (nobody listening), failed (an error status or a bad answer). Failures should appear only inside fault regions.",
        unit: "reqps",
        queries: [
          {
            expr: "sum by (result) (rate(blackout_client_polls_total[$__rate_interval]))",
            legend: "{{result}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries(
        {
          title: "End-to-end latency",
          description:
            "Receive time minus the record's timestamp, for polls that brought fresh records: p50 and p99 over the fleet. Points with a dot are exemplars: each opens the trace of the poll that measured it.",
          unit: "s",
          queries: [
            {
              expr: "histogram_quantile(0.5, sum by (le) (rate(blackout_client_latency_seconds_bucket[$__rate_interval])))",
              legend: "p50",
            },
            {
              expr: "histogram_quantile(0.99, sum by (le) (rate(blackout_client_latency_seconds_bucket[$__rate_interval])))",
              legend: "p99",
            },
          ],
        },
        true,
      ),
    )
    .withRow(new RowBuilder("Recovery"))
    .withPanel(
      table({
        title: "Recovery time per fault",
        description:
          "The newest completed faults (up to 50) with their three recovery times: pod (t0 until the target is ready again: Kubernetes' view), client (t0 until the 99th percentile client has fresh data: users' view), lag (t0 until consumer lag is back to normal: Kafka's view).",
        unit: "s",
        queries: [
          {
            expr: "max by (fault_id, target, kind, seen_by) (blackout_control_recent_fault_recovery_seconds)",
          },
        ],
      }).withTransformation({
        id: "groupingToMatrix",
        options: { columnField: "seen_by", rowField: "fault_id", valueField: "Value" },
      }),
    )
    .withPanel(
      timeseries({
        title: "Recovery-time quantiles",
        description:
          "p50 and p99 of the recovery times of faults completed in the last hour, by who sees them recover (pod, client, lag).",
        unit: "s",
        queries: [
          {
            expr: "histogram_quantile(0.5, sum by (le, seen_by) (increase(blackout_control_fault_recovery_seconds_bucket[1h])))",
            legend: "p50 {{seen_by}}",
          },
          {
            expr: "histogram_quantile(0.99, sum by (le, seen_by) (increase(blackout_control_fault_recovery_seconds_bucket[1h])))",
            legend: "p99 {{seen_by}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Faults",
        description: "Faults a minute, injected (actor api, cli, scenario) or observed (external).",
        unit: "short",
        queries: [
          {
            expr: "sum by (kind, actor) (increase(blackout_control_faults_total[1m]))",
            legend: "{{kind}} by {{actor}}",
          },
        ],
      }),
    )
    .withRow(new RowBuilder("Kafka and the consumers"))
    .withPanel(
      timeseries({
        title: "Lag per consumer group",
        description:
          "Records behind the high watermark, per consumer group (each consumer has its own group), summed over partitions: Kafka's view of recovery.",
        queries: [
          {
            expr: "sum by (consumergroup) (kafka_consumergroup_lag)",
            legend: "{{consumergroup}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Consumer lag in seconds",
        description:
          "Now minus the timestamp of the record each chosen consumer just read ($consumer).",
        unit: "s",
        queries: [
          {
            expr: 'max by (instance) (blackout_consumer_lag_seconds{instance=~"$consumer"})',
            legend: "{{instance}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Throughput",
        description:
          "Records a second: acknowledged by Kafka (produced, per producer) and read by each chosen consumer ($consumer).",
        unit: "short",
        queries: [
          {
            expr: "sum by (producer) (rate(blackout_producer_records_acknowledged_total[$__rate_interval]))",
            legend: "produced {{producer}}",
          },
          {
            expr: 'sum by (instance) (rate(blackout_consumer_records_consumed_total{instance=~"$consumer"}[$__rate_interval]))',
            legend: "consumed {{instance}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Consumers in rotation",
        description:
          "Consumers the gateway sends polls to, and whether each chosen consumer reports ready ($consumer).",
        queries: [
          { expr: "sum(blackout_gateway_backends_ready)", legend: "in the gateway's rotation" },
          {
            expr: 'max by (instance) (blackout_consumer_ready{instance=~"$consumer"})',
            legend: "ready {{instance}}",
          },
        ],
      }),
    )
    .withRow(new RowBuilder("The lab's own processes"))
    .withPanel(
      timeseries({
        title: "Memory kept after garbage collection",
        description:
          "What each Node service keeps alive: heap and external memory right after its latest full garbage collection. A leak shows as a rising floor; the soak judges memory on it.",
        unit: "bytes",
        queries: [
          {
            expr: 'sum by (job, instance) ({__name__=~"blackout_.+_nodejs_memory_after_gc_bytes"})',
            legend: "{{job}} {{instance}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Resident memory",
        description:
          "Each Node service's resident memory as the kernel counts it. It also rises when V8 grows its heap, and seldom falls again: read it beside the memory kept after garbage collection.",
        unit: "bytes",
        queries: [
          {
            expr: 'max by (job, instance) ({__name__=~"blackout_.+_process_resident_memory_bytes"})',
            legend: "{{job}} {{instance}}",
          },
        ],
      }),
    )
    .build();
}

/** "Blackout — Kafka": the brokers as Kafka itself reports them (the JMX exporter). */
export function kafkaDashboard(): Dashboard {
  const brokers = '{broker=~"$broker"}';
  return base(
    "blackout-kafka",
    "Blackout — Kafka",
    "The brokers' own metrics (the JMX exporter's agent on each node): who is up, who leads, replication health, elections and request latency. Faults are the red regions.",
  )
    .withVariable(
      variable("broker", "broker", "label_values(kafka_server_replicamanager_leadercount, broker)"),
    )
    .withPanel(
      stat({
        title: "Brokers up",
        description: "Brokers whose metrics Prometheus can scrape right now, of three.",
        queries: [{ expr: 'sum(up{job="kafka"})', legend: "up" }],
      }),
    )
    .withPanel(
      stat({
        title: "Active controller",
        description:
          "Nodes that say they are the active KRaft controller: exactly 1 when healthy (0 during an election).",
        queries: [
          {
            expr: "sum(kafka_controller_kafkacontroller_activecontrollercount)",
            legend: "active",
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: "Under-replicated partitions",
        description:
          "Partitions with fewer in-sync replicas than replicas, over every broker: non-zero while a broker is down or catching up.",
        queries: [
          {
            expr: "sum(kafka_server_replicamanager_underreplicatedpartitions)",
            legend: "under-replicated",
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: "Offline partitions",
        description:
          "Partitions without a leader (reported by the active controller): producers and consumers of those partitions stall.",
        queries: [
          {
            expr: "max(kafka_controller_kafkacontroller_offlinepartitionscount)",
            legend: "offline",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Leaders per broker",
        description:
          "Partition leaders each chosen broker holds ($broker): leadership moves away from a killed broker and back after a preferred-leader election.",
        queries: [
          {
            expr: `sum by (broker) (kafka_server_replicamanager_leadercount${brokers})`,
            legend: "{{broker}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Under-replicated partitions per broker",
        description: "Partitions each chosen broker leads that miss an in-sync replica ($broker).",
        queries: [
          {
            expr: `sum by (broker) (kafka_server_replicamanager_underreplicatedpartitions${brokers})`,
            legend: "{{broker}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "ISR changes",
        description:
          "In-sync replica set shrinks and expands a second on each chosen broker ($broker): a shrink when a follower falls behind or dies, an expand when it catches up.",
        queries: [
          {
            expr: `sum by (broker) (rate(kafka_server_replicamanager_isrshrinks_total${brokers}[$__rate_interval]))`,
            legend: "shrinks {{broker}}",
          },
          {
            expr: `sum by (broker) (rate(kafka_server_replicamanager_isrexpands_total${brokers}[$__rate_interval]))`,
            legend: "expands {{broker}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Leadership moves",
        description:
          "Partition leaderships each chosen broker gained or lost in the last minute ($broker): a broker failover moves the leaders of its partitions away, a preferred-leader election brings them back. KRaft counts no elections itself.",
        queries: [
          {
            expr: `sum by (broker) (abs(delta(kafka_server_replicamanager_leadercount${brokers}[1m])))`,
            legend: "{{broker}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Request latency (p99)",
        description:
          "The brokers' own 99th percentile of total request time for produce and consumer fetch requests, per chosen broker ($broker).",
        unit: "ms",
        queries: [
          {
            expr: `max by (broker, request) (kafka_network_requestmetrics_totaltimems{quantile="0.99",request=~"Produce|FetchConsumer",broker=~"$broker"})`,
            legend: "{{request}} {{broker}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Bytes in and out",
        description:
          "Bytes a second into and out of each chosen broker ($broker), over every topic.",
        unit: "Bps",
        queries: [
          {
            expr: `sum by (broker) (rate(kafka_server_brokertopicmetrics_bytesin_total${brokers}[$__rate_interval]))`,
            legend: "in {{broker}}",
          },
          {
            expr: `sum by (broker) (rate(kafka_server_brokertopicmetrics_bytesout_total${brokers}[$__rate_interval]))`,
            legend: "out {{broker}}",
          },
        ],
      }),
    )
    .build();
}

/** Every dashboard, by the file it is written to in observability/grafana/dashboards/. */
export function blackoutDashboards(): Record<string, Dashboard> {
  return {
    "blackout-failover.json": failoverDashboard(),
    "blackout-kafka.json": kafkaDashboard(),
  };
}
