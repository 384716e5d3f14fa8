import { describe, expect, it } from "vitest";
import { createTimeTable } from "./timeTable.ts";

describe("createTimeTable", () => {
  it("appends rows, aligns columns set later, and places a late row", () => {
    const table = createTimeTable();
    table.set(table.row(10), "a", 1);
    table.set(table.row(12), "b", 2);
    expect(table.row(12)).toBe(1);
    table.set(table.row(11), "a", 3);
    expect(table.t).toEqual([10, 11, 12]);
    expect(table.column("a")).toEqual([1, 3, null]);
    expect(table.column("b")).toEqual([null, null, 2]);
    expect(table.column("never")).toEqual([null, null, null]);
    expect(table.names()).toEqual(["a", "b"]);
    expect(table.get(0, "a")).toBe(1);
  });

  it("keeps only its capacity, and refuses rows older than it", () => {
    const table = createTimeTable(3);
    for (const second of [1, 2, 3, 4, 5]) table.set(table.row(second), "v", second);
    expect(table.t).toEqual([3, 4, 5]);
    expect(table.column("v")).toEqual([3, 4, 5]);
    expect(table.row(2)).toBe(-1);
    const before = table.version;
    table.set(-1, "v", 9);
    expect(table.version).toBe(before);
  });

  it("holds an hour of seconds however long it runs", () => {
    const table = createTimeTable(3600);
    for (let second = 0; second < 4 * 3600; second += 1) {
      const row = table.row(second);
      for (const name of ["a", "b", "c", "d", "e", "f"]) table.set(row, name, second);
    }
    expect(table.t.length).toBe(3600);
    expect(table.t[0]).toBe(3 * 3600);
    expect(table.column("f").length).toBe(3600);
  });
});
