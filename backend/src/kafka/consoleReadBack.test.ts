import { describe, expect, it } from "vitest";
import { parseConsoleLines, parseOffsets } from "./consoleReadBack.ts";

describe("parseOffsets", () => {
  it("reads GetOffsetShell's lines of the topic, and only those", () => {
    const text =
      "blackout.numbers:0:0\nblackout.numbers:3:528\nother:3:9\n\nblackout.numbers:10:7\n";
    expect(parseOffsets(text, "blackout.numbers")).toEqual(
      new Map([
        [0, 0],
        [3, 528],
        [10, 7],
      ]),
    );
  });

  it("keeps a topic whose name holds a colon apart from its prefix", () => {
    expect(parseOffsets("a:b:1:2\nb:1:5", "a:b")).toEqual(new Map([[1, 2]]));
  });
});

describe("parseConsoleLines", () => {
  it("reads the offset and the value of each message, skipping what is not one", () => {
    const text = [
      "Option --property is deprecated",
      'Offset:41\t{"producer":"producer-0","seq":1,"ts":5}',
      "Offset:42\tnull",
      "Processed a total of 2 messages",
      "",
    ].join("\n");
    expect(parseConsoleLines(text)).toEqual([
      { offset: 41, value: '{"producer":"producer-0","seq":1,"ts":5}' },
      { offset: 42, value: "null" },
    ]);
  });
});
