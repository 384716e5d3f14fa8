import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord } from "./records.ts";

const decode = (text: string) => decodeRecord(Buffer.from(text));

describe("a number record", () => {
  it("decodes what encodeRecord wrote", () => {
    const record = { producer: "producer-0", seq: 41, ts: 1_796_700_000_000 };
    const { key, value } = encodeRecord(record);
    expect(key).toBe("producer-0");
    expect(decodeRecord(Buffer.from(value))).toEqual(record);
  });

  it("keeps only the record's own fields", () => {
    const decoded = decode('{"producer":"p","seq":1,"ts":0,"extra":true}');
    expect(decoded).toEqual({ producer: "p", seq: 1, ts: 0 });
    expect(Object.keys(decoded ?? {})).toEqual(["producer", "seq", "ts"]);
  });

  it("accepts a whole number written with a fraction of zero", () => {
    expect(decode('{"producer":"p","seq":1.0,"ts":2.0}')).toEqual({ producer: "p", seq: 1, ts: 2 });
  });

  it.each([
    ["not JSON", "{producer"],
    ["JSON null", "null"],
    ["an array", '["p",1,0]'],
    ["a number", "42"],
    ["a string", '"producer-0"'],
    ["no producer", '{"seq":1,"ts":0}'],
    ["an empty producer", '{"producer":"","seq":1,"ts":0}'],
    ["a producer that is not a string", '{"producer":7,"seq":1,"ts":0}'],
    ["a producer id with a space", '{"producer":"producer 0","seq":1,"ts":0}'],
    ["a producer id with a comma or colon", '{"producer":"p,q:1","seq":1,"ts":0}'],
    ["a producer id beyond 64 characters", `{"producer":"${"p".repeat(65)}","seq":1,"ts":0}`],
    ["a producer id that is not ASCII", '{"producer":"prödücer","seq":1,"ts":0}'],
    ["no seq", '{"producer":"p","ts":0}'],
    ["a seq of 0", '{"producer":"p","seq":0,"ts":0}'],
    ["a negative seq", '{"producer":"p","seq":-3,"ts":0}'],
    ["a fractional seq", '{"producer":"p","seq":1.5,"ts":0}'],
    ["a seq as a string", '{"producer":"p","seq":"1","ts":0}'],
    ["a seq beyond the safe integers", '{"producer":"p","seq":9007199254740992,"ts":0}'],
    ["no ts", '{"producer":"p","seq":1}'],
    ["a negative ts", '{"producer":"p","seq":1,"ts":-1}'],
    ["a fractional ts", '{"producer":"p","seq":1,"ts":0.5}'],
    ["a ts beyond the safe integers", '{"producer":"p","seq":1,"ts":1e300}'],
  ])("is not %s", (_, text) => {
    expect(decode(text)).toBeUndefined();
  });

  it("is not an empty message (a tombstone), an empty value, nor binary bytes", () => {
    expect(decodeRecord(null)).toBeUndefined();
    expect(decodeRecord(Buffer.alloc(0))).toBeUndefined();
    expect(decodeRecord(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]))).toBeUndefined();
  });

  it("accepts a producer id of 64 letters, digits, dots, dashes and underscores", () => {
    const producer = "Producer_0.a-".padEnd(64, "z");
    expect(decode(JSON.stringify({ producer, seq: 1, ts: 0 }))?.producer).toBe(producer);
  });
});
