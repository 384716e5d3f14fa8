/**
 * Columns of numbers keyed by the second, oldest first: what uPlot draws (one x array, aligned
 * y arrays, null for a gap). Rows arrive in time order nearly always, so appending is the fast
 * path; a late row is put in its place. At most `capacitySeconds` are kept, so an hour of 1 s data
 * stays an hour however long the page is open.
 */
export interface TimeTable {
  /** Seconds since the epoch, ascending. */
  readonly t: readonly number[];
  /** The row of `second`, created (all null) when missing; -1 when it is too old to keep. */
  row(second: number): number;
  set(row: number, column: string, value: number | null): void;
  get(row: number, column: string): number | null;
  /** A column's values, aligned with `t` (all null for a column never set). */
  column(name: string): readonly (number | null)[];
  /** Columns in the order they were first set. */
  names(): readonly string[];
  /** Changes with every write: charts redraw when it moved. */
  readonly version: number;
}

export function createTimeTable(capacitySeconds = 3600): TimeTable {
  const t: number[] = [];
  const columns = new Map<string, (number | null)[]>();
  let version = 0;

  function columnOf(name: string): (number | null)[] {
    let values = columns.get(name);
    if (values === undefined) {
      values = t.map(() => null);
      columns.set(name, values);
    }
    return values;
  }

  function trim(newest: number): void {
    let drop = 0;
    while (drop < t.length && (t[drop] ?? newest) <= newest - capacitySeconds) drop += 1;
    if (drop === 0) return;
    t.splice(0, drop);
    for (const values of columns.values()) values.splice(0, drop);
  }

  return {
    t,
    row(second) {
      const last = t.at(-1);
      if (last === second) return t.length - 1;
      if (last === undefined || second > last) {
        t.push(second);
        for (const values of columns.values()) values.push(null);
        trim(second);
        return t.length - 1;
      }
      if (second <= last - capacitySeconds) return -1;
      // A late row: binary search for its place.
      let lo = 0;
      let hi = t.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((t[mid] ?? 0) < second) lo = mid + 1;
        else hi = mid;
      }
      if (t[lo] !== second) {
        t.splice(lo, 0, second);
        for (const values of columns.values()) values.splice(lo, 0, null);
      }
      return lo;
    },
    set(row, column, value) {
      if (row < 0) return;
      columnOf(column)[row] = value;
      version += 1;
    },
    get(row, column) {
      return columns.get(column)?.[row] ?? null;
    },
    column: (name) => columns.get(name) ?? t.map(() => null),
    names: () => [...columns.keys()],
    get version() {
      return version;
    },
  };
}
