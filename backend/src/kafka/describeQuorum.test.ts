import { describe, expect, it } from "vitest";
import { bytes, useFakeBrokers } from "./fakeBroker.fixture.ts";
import {
  decodeDescribeQuorumResponse,
  describeQuorum,
  encodeDescribeQuorumRequest,
} from "./describeQuorum.ts";

const metadataTopic = Buffer.from("__cluster_metadata").toString("hex");

/** A v0 answer: leader 3 in epoch 1, voters 1 and 2, one observer, an unknown tagged field. */
function answer(correlationId: string, partitionError = "0000", leader = "00000003"): Buffer {
  return bytes(
    correlationId,
    "00", // header tagged fields
    "0000", // error code
    "02", // one topic (length + 1)
    "13",
    metadataTopic, // 18 bytes of name (length + 1 = 0x13)
    "02", // one partition
    "00000000", // partition 0
    partitionError,
    leader,
    "00000001", // leader epoch
    "000000000000013d", // high watermark 317
    "03", // two voters
    "00000001 000000000000013d 00",
    "00000002 000000000000013c 00",
    "02", // one observer, log end offset unknown
    "00000004 ffffffffffffffff 00",
    "01 05 02 abcd", // one tagged field a newer broker might add: tag 5, two bytes
    "00", // topic tagged fields
    "00", // response tagged fields
  );
}

describe("encodeDescribeQuorumRequest", () => {
  it("writes header v2 and the v0 body for __cluster_metadata partition 0", () => {
    expect(encodeDescribeQuorumRequest(7, "t").toString("hex")).toBe(
      bytes(
        "00000028", // size of what follows: 40 bytes
        "0037 0000 00000007", // api key 55, version 0, correlation id 7
        "0001 74", // client id "t" with an int16 length
        "00", // header tagged fields
        "02 13",
        metadataTopic,
        "02 00000000 00", // one partition: index 0, no tagged fields
        "00 00", // topic and request tagged fields
      ).toString("hex"),
    );
  });
});

describe("decodeDescribeQuorumResponse", () => {
  it("reads the leader, high watermark, voters and observers, skipping tagged fields", () => {
    expect(decodeDescribeQuorumResponse(answer("00000007"), 7)).toEqual({
      leaderId: 3,
      leaderEpoch: 1,
      highWatermark: 317,
      voters: [
        { replicaId: 1, logEndOffset: 317 },
        { replicaId: 2, logEndOffset: 316 },
      ],
      observers: [{ replicaId: 4, logEndOffset: -1 }],
    });
  });

  it("refuses an answer to another request", () => {
    expect(() => decodeDescribeQuorumResponse(answer("00000008"), 7)).toThrow(
      "response for request 8, expected 7",
    );
  });

  it("turns an error code into a named error", () => {
    expect(() => decodeDescribeQuorumResponse(answer("00000007", "0006"), 7)).toThrow(
      "__cluster_metadata-0: NOT_LEADER_OR_FOLLOWER (code 6)",
    );
    const topLevel = bytes("00000007 00", "0023", "01 00");
    expect(() => decodeDescribeQuorumResponse(topLevel, 7)).toThrow(
      "quorum: UNSUPPORTED_VERSION (code 35)",
    );
  });

  it("treats an unknown leader as no answer", () => {
    expect(() => decodeDescribeQuorumResponse(answer("00000007", "0000", "ffffffff"), 7)).toThrow(
      "no leader",
    );
  });

  it("fails on a truncated frame instead of inventing values", () => {
    const whole = answer("00000007");
    expect(() => decodeDescribeQuorumResponse(whole.subarray(0, whole.length - 20), 7)).toThrow(
      RangeError,
    );
  });
});

describe("describeQuorum", () => {
  const fakeBroker = useFakeBrokers();

  it("asks the next broker when one refuses, times out or has no leader", async () => {
    const silent = await fakeBroker("silent");
    const leaderless = await fakeBroker((id) =>
      answer(id.toString(16).padStart(8, "0"), "0000", "ffffffff"),
    );
    const good = await fakeBroker((id) => answer(id.toString(16).padStart(8, "0")));
    const description = await describeQuorum(["127.0.0.1:1", silent, leaderless, good], {
      timeoutMs: 300,
    });
    expect(description.leaderId).toBe(3);
  });

  it("names every broker's reason when none answers", async () => {
    const silent = await fakeBroker("silent");
    await expect(describeQuorum(["127.0.0.1:1", silent], { timeoutMs: 200 })).rejects.toThrow(
      /127\.0\.0\.1:1: connect ECONNREFUSED.*no answer within 200 ms/,
    );
  });
});
