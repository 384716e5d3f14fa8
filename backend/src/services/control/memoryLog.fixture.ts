/**
 * An append-only log in memory that reads back whole, in the shape of control's Kafka-backed
 * stores (the fault timeline, the runs): for tests without Kafka. Appends land in `records`.
 */
export function memoryLog<T>(records: T[]) {
  return {
    append: (value: T) => {
      records.push(value);
      return Promise.resolve();
    },
    load: () => Promise.resolve([...records]),
    ensure: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
