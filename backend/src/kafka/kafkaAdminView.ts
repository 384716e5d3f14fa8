import { Kafka, logLevel, type Admin } from "kafkajs";
import { describeQuorum } from "./describeQuorum.ts";
import type {
  BrokerNode,
  GroupLag,
  KafkaSnapshot,
  PartitionLag,
  PartitionState,
} from "../contract/kafkaSnapshot.ts";

export interface KafkaAdminViewOptions {
  /** Bootstrap servers. */
  brokers: string[];
  /** The one topic whose partitions and group lag are shown. */
  topic: string;
  /** Groups whose id starts with this are shown (`blackout-view-`). */
  groupPrefix: string;
  clientId?: string;
  /**
   * How long each part of a snapshot may take (default 3000 ms): a snapshot never takes much
   * longer, whatever state the brokers are in.
   */
  partTimeoutMs?: number;
}

export interface KafkaAdminView {
  snapshot(): Promise<KafkaSnapshot>;
  close(): Promise<void>;
}

/**
 * What control needs to know about Kafka, in one call that copes with a broker being down: each
 * part (brokers, controller, partitions, groups) runs on its own with a deadline, and a part that
 * fails is reported in `errors` while the others still arrive.
 */
export function createKafkaAdminView(options: KafkaAdminViewOptions): KafkaAdminView {
  const { brokers, topic, groupPrefix } = options;
  const partTimeoutMs = options.partTimeoutMs ?? 3000;
  let admin: Promise<Admin> | undefined;
  // Groups seen by the last listing that worked. Listing asks every broker, so it fails while a
  // dead broker is still registered; the groups themselves can often still be read then.
  let knownGroups: string[] = [];
  let firstSeed = 0;

  /**
   * A client of its own rather than the service's, whose 30 s request timeout and long retries
   * are right for producing but would leave a poll hanging on a frozen broker. A frozen broker
   * accepts connections and never answers, and kafkajs retries a seed broker that times out
   * instead of moving on; and every kafkajs client starts with the first bootstrap server. So
   * requests time out well within a part's deadline, and each new admin client (one replaces a
   * failed one) starts at the next bootstrap server.
   */
  const kafka = new Kafka({
    clientId: options.clientId ?? "blackout-admin-view",
    brokers: () => {
      const start = firstSeed++ % brokers.length;
      return [...brokers.slice(start), ...brokers.slice(0, start)];
    },
    connectionTimeout: Math.min(1000, partTimeoutMs / 2),
    requestTimeout: partTimeoutMs / 2,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    // Every failure is in the snapshot's errors; kafkajs's logs would repeat it at each poll.
    logLevel: logLevel.NOTHING,
  });

  function connected(): Promise<Admin> {
    if (admin === undefined) {
      const created = kafka.admin();
      admin = created.connect().then(() => created);
    }
    return admin;
  }

  /**
   * After an error the admin client may hold stale metadata (kafkajs does not refresh it on
   * NOT_LEADER from ListOffsets) or a connection to a frozen broker; a fresh one bootstraps anew.
   */
  function discardAdmin(): void {
    const old = admin;
    admin = undefined;
    void old?.then((a) => a.disconnect()).catch(() => undefined);
  }

  function part<T>(work: (admin: Admin) => Promise<T>, what: string): Promise<T> {
    return withDeadline(
      connected().then((a) => work(a)),
      partTimeoutMs,
      what,
    );
  }

  async function listGroups(a: Admin): Promise<{ ids: string[]; error?: string }> {
    try {
      const { groups } = await a.listGroups();
      knownGroups = groups
        .map((g) => g.groupId)
        .filter((id) => id.startsWith(groupPrefix))
        .sort();
      return { ids: knownGroups };
    } catch (error) {
      return {
        ids: knownGroups,
        error: `listing groups failed (${message(error)}); showing the groups listed before`,
      };
    }
  }

  async function readGroup(
    a: Admin,
    group: string,
    ends: ReadonlyMap<number, number>,
  ): Promise<GroupLag> {
    try {
      const [described, [committed]] = await Promise.all([
        a.describeGroups([group]),
        a.fetchOffsets({ groupId: group, topics: [topic] }),
      ]);
      const description = described.groups[0];
      const partitions = (committed?.partitions ?? [])
        .map(({ partition, offset }): PartitionLag => {
          // -1 is the OffsetFetch answer for "no commit".
          const position = Number(offset) >= 0 ? Number(offset) : null;
          const end = ends.get(partition) ?? null;
          // Never negative: the commit and the end offset are read at slightly different times.
          const lag = position === null || end === null ? null : Math.max(0, end - position);
          return { partition, committed: position, end, lag };
        })
        .sort((x, y) => x.partition - y.partition);
      const known = partitions.flatMap((p) => (p.lag === null ? [] : [p.lag]));
      return {
        group,
        state: description?.state ?? "Unknown",
        members: description?.members.length ?? 0,
        lag: known.length === 0 ? null : known.reduce((sum, lag) => sum + lag, 0),
        partitions,
      };
    } catch (error) {
      return {
        group,
        state: "Unknown",
        members: 0,
        lag: null,
        partitions: [],
        error: message(error),
      };
    }
  }

  /**
   * The high watermarks, or none: kafkajs asks every leader at once, and a leader that is down but
   * not yet fenced (~9 s) fails them all. Groups are still shown then, with their commits but no
   * lag, rather than not at all.
   */
  async function endOffsets(a: Admin): Promise<{ ends: Map<number, number>; error?: string }> {
    try {
      const offsets = await a.fetchTopicOffsets(topic);
      return { ends: new Map(offsets.map((o) => [o.partition, Number(o.high)])) };
    } catch (error) {
      return { ends: new Map(), error: `reading end offsets failed (${message(error)})` };
    }
  }

  async function readGroups(a: Admin): Promise<{ groups: GroupLag[]; error?: string }> {
    const [listing, { ends, error }] = await Promise.all([listGroups(a), endOffsets(a)]);
    const groups = await Promise.all(listing.ids.map((group) => readGroup(a, group, ends)));
    const errors = [listing.error, error].filter((e) => e !== undefined);
    return errors.length === 0 ? { groups } : { groups, error: errors.join("; ") };
  }

  return {
    async snapshot() {
      const at = Date.now();
      const [registered, controller, metadata, groups] = await Promise.allSettled([
        part((a) => a.describeCluster(), "describing the cluster"),
        withDeadline(
          describeQuorum(brokers, { timeoutMs: Math.min(1000, partTimeoutMs / 2) }),
          partTimeoutMs,
          "asking the KRaft quorum",
        ),
        part((a) => a.fetchTopicMetadata({ topics: [topic] }), `reading ${topic}'s metadata`),
        part((a) => readGroups(a), "reading groups"),
      ]);
      const errors: KafkaSnapshot["errors"] = {};
      if (registered.status === "rejected") errors.brokers = message(registered.reason);
      if (controller.status === "rejected") errors.controller = message(controller.reason);
      if (metadata.status === "rejected") errors.partitions = message(metadata.reason);
      if (groups.status === "rejected") errors.groups = message(groups.reason);
      else if (groups.value.error !== undefined) errors.groups = groups.value.error;
      // The controller part does not use the admin client; any other failure may be its fault.
      const adminFailed =
        Object.keys(errors).some((part) => part !== "controller") ||
        (groups.status === "fulfilled" && groups.value.groups.some((g) => g.error !== undefined));
      if (adminFailed) discardAdmin();

      const nodes =
        registered.status === "fulfilled"
          ? registered.value.brokers
              .map(({ nodeId, host, port }) => ({ nodeId, host, port }))
              .sort((x, y) => x.nodeId - y.nodeId)
          : [];
      const partitions =
        metadata.status === "fulfilled"
          ? (metadata.value.topics[0]?.partitions ?? [])
              .map((p) => ({
                partition: p.partitionId,
                leader: p.leader,
                replicas: p.replicas,
                isr: p.isr,
                offlineReplicas: p.offlineReplicas ?? [],
              }))
              .sort((x, y) => x.partition - y.partition)
          : [];
      return {
        at,
        topic,
        brokers: nodes,
        controller: controller.status === "fulfilled" ? controller.value.leaderId : null,
        partitions,
        leads: leadsOf(nodes, partitions),
        groups: groups.status === "fulfilled" ? groups.value.groups : [],
        errors,
      };
    },

    async close() {
      const old = admin;
      admin = undefined;
      await old?.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}

function leadsOf(
  nodes: readonly BrokerNode[],
  partitions: readonly PartitionState[],
): Record<number, number[]> {
  const leads: Record<number, number[]> = {};
  for (const { nodeId } of nodes) leads[nodeId] = [];
  for (const { partition, leader } of partitions) {
    if (leader >= 0) (leads[leader] ??= []).push(partition);
  }
  return leads;
}

/** Rejects after `ms`; the work itself goes on until the admin client is discarded. */
function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
