import { compactString, createReader, exchange, frame, uvarint, type Reader } from "./kafkaWire.ts";

/**
 * The active KRaft controller, asked of the quorum itself.
 *
 * kafkajs has no DescribeQuorum, and in KRaft the Metadata response's controllerId is not the
 * active controller: brokers fill it with a random live broker (on a 3-node cluster it changes from
 * one request to the next). The "controller" fault target needs the real one, so this speaks the
 * few bytes of DescribeQuorum (API key 55) that `kafka-metadata-quorum describe --status` uses.
 */

export interface QuorumReplica {
  replicaId: number;
  /** -1 when the leader does not know it. */
  logEndOffset: number;
}

export interface QuorumDescription {
  /** Node id of the active controller. */
  leaderId: number;
  leaderEpoch: number;
  /** Offsets are int64 on the wire; a metadata log never nears 2^53, and numbers survive JSON. */
  highWatermark: number;
  voters: QuorumReplica[];
  observers: QuorumReplica[];
}

export interface DescribeQuorumOptions {
  /** Per broker, from connecting to the whole answer; a frozen broker costs this much. */
  timeoutMs?: number;
  clientId?: string;
}

const DESCRIBE_QUORUM_KEY = 55;
/**
 * Version 0, the lowest: Kafka 4.4 brokers accept 0–2 (ApiVersions), and the later versions only
 * add fields (fetch timestamps, directory ids, endpoints) that nothing here needs.
 */
const DESCRIBE_QUORUM_VERSION = 0;
const METADATA_TOPIC = "__cluster_metadata";

/** The error codes a DescribeQuorum answer is known to carry, for readable messages. */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  [-1]: "UNKNOWN_SERVER_ERROR",
  3: "UNKNOWN_TOPIC_OR_PARTITION",
  6: "NOT_LEADER_OR_FOLLOWER",
  7: "REQUEST_TIMEOUT",
  31: "CLUSTER_AUTHORIZATION_FAILED",
  35: "UNSUPPORTED_VERSION",
  41: "NOT_CONTROLLER",
};

/**
 * Asks each broker in turn until one answers with a known leader. Brokers forward the request to
 * the active controller, so any live broker will do; a dead one fails fast on loopback, a frozen
 * one after `timeoutMs`. Throws with every broker's reason when none answers.
 */
export async function describeQuorum(
  brokers: readonly string[],
  options: DescribeQuorumOptions = {},
): Promise<QuorumDescription> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const clientId = options.clientId ?? "blackout";
  const failures: string[] = [];
  for (const [i, broker] of brokers.entries()) {
    const correlationId = i + 1;
    try {
      const frame = await exchange(
        broker,
        encodeDescribeQuorumRequest(correlationId, clientId),
        timeoutMs,
      );
      return decodeDescribeQuorumResponse(frame, correlationId);
    } catch (error) {
      failures.push(`${broker}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no broker described the KRaft quorum (${failures.join("; ") || "no brokers"})`);
}

/** A size-prefixed request: header v2 (the flexible one), then the v0 body for partition 0. */
export function encodeDescribeQuorumRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, "utf8");
  const header = Buffer.alloc(10);
  header.writeInt16BE(DESCRIBE_QUORUM_KEY, 0);
  header.writeInt16BE(DESCRIBE_QUORUM_VERSION, 2);
  header.writeInt32BE(correlationId, 4);
  // The header's client id keeps its int16 length even in flexible versions, so that any broker
  // can read the header of a request it does not understand.
  header.writeInt16BE(client.length, 8);
  const partition = Buffer.alloc(4);
  partition.writeInt32BE(0, 0);
  return frame(
    header,
    client,
    uvarint(0), // header tagged fields
    uvarint(1 + 1), // compact arrays and strings carry length + 1 (0 means null)
    compactString(METADATA_TOPIC),
    uvarint(1 + 1),
    partition,
    uvarint(0), // partition tagged fields
    uvarint(0), // topic tagged fields
    uvarint(0), // request tagged fields
  );
}

/**
 * Reads a response frame (without its size prefix): header v1, then the v0 body. Throws on a
 * Kafka error code or a leader of -1 (an election in progress), both of which mean "ask again".
 */
export function decodeDescribeQuorumResponse(
  frame: Buffer,
  expectedCorrelationId: number,
): QuorumDescription {
  const read = createReader(frame);
  const correlationId = read.int32();
  if (correlationId !== expectedCorrelationId) {
    throw new Error(`response for request ${correlationId}, expected ${expectedCorrelationId}`);
  }
  read.taggedFields();
  checkError(read.int16(), "quorum");
  const topics = read.array(() => {
    const name = read.compactString();
    const partitions = read.array(() => {
      const partition = read.int32();
      checkError(read.int16(), `${name}-${partition}`);
      const description: QuorumDescription = {
        leaderId: read.int32(),
        leaderEpoch: read.int32(),
        highWatermark: read.int64(),
        voters: read.array(() => replica(read)),
        observers: read.array(() => replica(read)),
      };
      read.taggedFields();
      return description;
    });
    read.taggedFields();
    return partitions;
  });
  read.taggedFields();
  const description = topics.flat()[0];
  if (description === undefined) throw new Error("the response describes no partition");
  if (description.leaderId < 0) throw new Error("the quorum has no leader yet");
  return description;
}

function replica(read: Reader): QuorumReplica {
  const state = { replicaId: read.int32(), logEndOffset: read.int64() };
  read.taggedFields();
  return state;
}

function checkError(code: number, where: string): void {
  if (code !== 0) throw new Error(`${where}: ${ERROR_NAMES[code] ?? "error"} (code ${code})`);
}
