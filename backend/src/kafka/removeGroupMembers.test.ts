import { describe, expect, it } from "vitest";
import { bytes, useFakeBrokers } from "./fakeBroker.fixture.ts";
import {
  decodeLeaveGroupResponse,
  encodeLeaveGroupRequest,
  removeGroupMembers,
} from "./removeGroupMembers.ts";

const hex = (text: string) => Buffer.from(text).toString("hex");

/** A v3 answer (without its size): no throttle, the given group error, one result per member. */
function answer(correlationId: number, errorCode: string, members: [string, string][]): Buffer {
  return bytes(
    correlationId.toString(16).padStart(8, "0"),
    "00000000", // throttle time
    errorCode,
    members.length.toString(16).padStart(8, "0"),
    ...members.map(
      ([id, code]) => `${id.length.toString(16).padStart(4, "0")} ${hex(id)} ffff ${code}`,
    ),
  );
}

describe("the LeaveGroup request", () => {
  it("is version 3 of API key 13 with each member by id and no instance id", () => {
    expect(encodeLeaveGroupRequest(7, "c", "g1", ["m-1", "m-2"])).toEqual(
      bytes(
        "00000021", // size: 33 bytes follow
        "000d 0003 00000007", // LeaveGroup v3, correlation id 7
        "0001",
        hex("c"),
        "0002",
        hex("g1"),
        "00000002", // two members
        "0003",
        hex("m-1"),
        "ffff", // no group instance id
        "0003",
        hex("m-2"),
        "ffff",
      ),
    );
  });

  it("reads each member's outcome, and refuses an answer to another request", () => {
    const frame = answer(7, "0000", [
      ["m-1", "0000"],
      ["m-2", "0019"],
    ]);
    expect(decodeLeaveGroupResponse(frame, 7)).toEqual({
      errorCode: 0,
      members: [
        { memberId: "m-1", errorCode: 0 },
        { memberId: "m-2", errorCode: 25 },
      ],
    });
    expect(() => decodeLeaveGroupResponse(frame, 8)).toThrow("response for request 7");
    expect(() => decodeLeaveGroupResponse(frame.subarray(0, 12), 7)).toThrow(RangeError);
  });
});

describe("removeGroupMembers", () => {
  const broker = useFakeBrokers();

  it("skips brokers that are not the coordinator or are down, and returns the coordinator's answer", async () => {
    const notCoordinator = await broker((id) => answer(id, "0010", []));
    const coordinator = await broker((id) => answer(id, "0000", [["m-1", "0000"]]));
    const removed = await removeGroupMembers(["127.0.0.1:1", notCoordinator, coordinator], "g1", [
      "m-1",
    ]);
    expect(removed).toEqual([{ memberId: "m-1", errorCode: 0 }]);
  });

  it("stops at an error that no other broker would answer differently", async () => {
    const denied = await broker((id) => answer(id, "001e", []));
    const never = await broker(() => {
      throw new Error("must not be asked");
    });
    await expect(removeGroupMembers([denied, never], "g1", ["m-1"])).rejects.toThrow(
      "g1: GROUP_AUTHORIZATION_FAILED (code 30)",
    );
  });

  it("names every broker's reason when none is the coordinator", async () => {
    const notCoordinator = await broker((id) => answer(id, "0010", []));
    await expect(removeGroupMembers([notCoordinator], "g1", ["m-1"])).rejects.toThrow(
      `no broker removed the members of g1 (${notCoordinator}: NOT_COORDINATOR (code 16))`,
    );
  });
});
