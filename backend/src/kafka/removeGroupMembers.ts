import { classicString, createReader, exchange, frame } from "./kafkaWire.ts";

/**
 * Removes members from a classic consumer group by their member ids: a LeaveGroup (API key 13)
 * sent on their behalf, which is how Kafka's own admin client removes dynamic members (KIP-571,
 * `removeMembersFromConsumerGroup`). kafkajs can only make its own member leave.
 *
 * A hard-killed consumer never leaves: its member holds the group's partitions until its session
 * expires, and a replacement's join waits that long. A replacement that knows it is the only
 * process of its name removes the dead member first and is assigned at once.
 */

const LEAVE_GROUP_KEY = 13;
/** Version 3, the first with a list of members and the last before flexible encoding (4+). */
const LEAVE_GROUP_VERSION = 3;

/** Errors after which another broker may be the group's coordinator. */
const NOT_HERE: ReadonlySet<number> = new Set([
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
]);
const ERROR_NAMES: Readonly<Record<number, string>> = {
  [-1]: "UNKNOWN_SERVER_ERROR",
  14: "COORDINATOR_LOAD_IN_PROGRESS",
  15: "COORDINATOR_NOT_AVAILABLE",
  16: "NOT_COORDINATOR",
  25: "UNKNOWN_MEMBER_ID",
  30: "GROUP_AUTHORIZATION_FAILED",
  69: "GROUP_ID_NOT_FOUND",
};

export interface RemovedMember {
  memberId: string;
  /** 0 when removed; UNKNOWN_MEMBER_ID (25) when it was gone already. */
  errorCode: number;
}

export interface RemoveGroupMembersOptions {
  /** Per broker, from connecting to the whole answer. */
  timeoutMs?: number;
  clientId?: string;
}

/**
 * Asks each broker in turn until the group's coordinator answers (the others say
 * NOT_COORDINATOR), so no FindCoordinator round trip is needed on a 3-broker cluster. Throws with
 * every broker's reason when none answers.
 */
export async function removeGroupMembers(
  brokers: readonly string[],
  groupId: string,
  memberIds: readonly string[],
  options: RemoveGroupMembersOptions = {},
): Promise<RemovedMember[]> {
  const failures: string[] = [];
  for (const [i, broker] of brokers.entries()) {
    const correlationId = i + 1;
    const request = encodeLeaveGroupRequest(
      correlationId,
      options.clientId ?? "blackout",
      groupId,
      memberIds,
    );
    let answer: ReturnType<typeof decodeLeaveGroupResponse>;
    try {
      answer = decodeLeaveGroupResponse(
        await exchange(broker, request, options.timeoutMs ?? 2000),
        correlationId,
      );
    } catch (error) {
      failures.push(`${broker}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (answer.errorCode === 0) return answer.members;
    const reason = `${ERROR_NAMES[answer.errorCode] ?? "error"} (code ${answer.errorCode})`;
    if (!NOT_HERE.has(answer.errorCode)) throw new Error(`${groupId}: ${reason}`);
    failures.push(`${broker}: ${reason}`);
  }
  throw new Error(
    `no broker removed the members of ${groupId} (${failures.join("; ") || "no brokers"})`,
  );
}

/** Header v1 (api key, version, correlation id, client id), then the v3 body. */
export function encodeLeaveGroupRequest(
  correlationId: number,
  clientId: string,
  groupId: string,
  memberIds: readonly string[],
): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt16BE(LEAVE_GROUP_KEY, 0);
  header.writeInt16BE(LEAVE_GROUP_VERSION, 2);
  header.writeInt32BE(correlationId, 4);
  const count = Buffer.alloc(4);
  count.writeInt32BE(memberIds.length, 0);
  return frame(
    header,
    classicString(clientId),
    classicString(groupId),
    count,
    ...memberIds.flatMap((memberId) => [classicString(memberId), classicString(null)]),
  );
}

/** Header v0 (correlation id), then the v3 body: throttle, error, one result per member. */
export function decodeLeaveGroupResponse(
  body: Buffer,
  expectedCorrelationId: number,
): { errorCode: number; members: RemovedMember[] } {
  const read = createReader(body);
  const correlationId = read.int32();
  if (correlationId !== expectedCorrelationId) {
    throw new Error(`response for request ${correlationId}, expected ${expectedCorrelationId}`);
  }
  read.int32(); // throttle time
  const errorCode = read.int16();
  const members = read.classicArray(() => {
    const memberId = read.string() ?? "";
    read.string(); // group instance id
    return { memberId, errorCode: read.int16() };
  });
  return { errorCode, members };
}
