import { describe, expect, it } from "vitest";
import { parseRecordsAnswer } from "./recordsAnswer.ts";

const valid = {
  consumer: "consumer-1",
  records: [{ producer: "producer-0", seq: 7, ts: 1_700_000_000_000 }],
  cursor: "opaque",
  heads: { "producer-0": 7, "producer-1": 0 },
  truncated: false,
  ready: true,
};

describe("parseRecordsAnswer", () => {
  it("takes a well-formed answer as it is", () => {
    expect(parseRecordsAnswer(structuredClone(valid))).toEqual(valid);
    const behind = { ...valid, behind: { "producer-0": 6 } };
    expect(parseRecordsAnswer(structuredClone(behind))).toEqual(behind);
  });

  it.each([
    [null, "expected a JSON object"],
    [{ ...valid, consumer: 1 }, "consumer must be a string"],
    [{ ...valid, cursor: undefined }, "cursor must be a string"],
    [{ ...valid, heads: { "producer-0": 1.5 } }, "heads.producer-0 must be a whole number ≥ 0"],
    [{ ...valid, records: {} }, "records must be an array"],
    [{ ...valid, records: [{ producer: "p", seq: 0, ts: 1 }] }, "records[0].seq must be"],
    [{ ...valid, records: [{ producer: "", seq: 1, ts: 1 }] }, "records[0].producer must be"],
    [{ ...valid, records: [{ producer: "p", seq: 1, ts: "now" }] }, "records[0].ts must be"],
    [{ ...valid, truncated: "no" }, "truncated must be a boolean"],
    [{ ...valid, ready: undefined }, "ready must be a boolean"],
    [{ ...valid, behind: [] }, "behind must be an object"],
    [{ ...valid, behind: { "producer-0": 0 } }, "behind.producer-0 must be a whole number ≥ 1"],
  ])("rejects %j naming the field", (body, message) => {
    expect(() => parseRecordsAnswer(body)).toThrow(message);
  });
});
