import type { Admin } from "kafkajs";
import { waitFor } from "../lib/waitFor.ts";

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs?: Readonly<Record<string, string>>;
}

/**
 * Creates a topic unless it exists, then waits until every partition has a leader and a full ISR
 * and every leader answers for its offsets.
 * kafkajs's own `waitForLeaders` gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
 * answers until it has applied the new metadata; here any error just means "not yet".
 */
export async function ensureTopic(
  admin: Admin,
  spec: TopicSpec,
  timeoutMs = 60_000,
): Promise<void> {
  let created = false;
  await waitFor(
    async () => {
      // Ask first (in the loop: the first answer may be a broker that is not serving yet):
      // creating a topic that exists makes kafkajs log an error on every service start, and an
      // attempt that timed out may have created it after all.
      if (!created) created = (await admin.listTopics()).includes(spec.topic);
      if (!created) {
        await admin.createTopics({
          topics: [
            {
              topic: spec.topic,
              numPartitions: spec.partitions,
              replicationFactor: spec.replicationFactor,
              configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({
                name,
                value,
              })),
            },
          ],
        });
        created = true;
      }
      const metadata = await admin.fetchTopicMetadata({ topics: [spec.topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length !== spec.partitions) {
        throw new Error(
          `topic ${spec.topic} has ${partitions.length} partitions, expected ${spec.partitions}`,
        );
      }
      if (!partitions.every((p) => p.leader >= 0 && p.isr.length === spec.replicationFactor)) {
        return false;
      }
      // Leaders elected is not yet leaders serving: right after creation a broker may still answer
      // NOT_LEADER_FOR_PARTITION to ListOffsets, which services send next.
      await admin.fetchTopicOffsets(spec.topic);
      return true;
    },
    {
      what: `topic ${spec.topic} to have leaders and ${spec.replicationFactor} in-sync replicas`,
      timeoutMs,
      intervalMs: 200,
      maxIntervalMs: 2000,
    },
  );
}
