import { Partitioners } from "kafkajs";

/**
 * The partition kafkajs's default (Java-compatible, murmur2) partitioner picks for a key. The
 * producer sends to it explicitly and reads its own records back from it, so both always agree.
 */
export function ownPartition(topic: string, key: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  return Partitioners.DefaultPartitioner()({
    topic,
    partitionMetadata,
    message: { key, value: null },
  });
}
