import { connect } from "node:net";

// The few bytes of Kafka's wire protocol that kafkajs does not speak for us (DescribeQuorum,
// LeaveGroup on another member's behalf): size-prefixed frames, big-endian integers, strings with
// an int16 length (classic versions) or a varint length + 1 (flexible ones).

export function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

export function compactString(value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  return Buffer.concat([uvarint(bytes.length + 1), bytes]);
}

/** A classic (non-flexible) string: int16 length, -1 for null. */
export function classicString(value: string | null): Buffer {
  const length = Buffer.alloc(2);
  if (value === null) {
    length.writeInt16BE(-1, 0);
    return length;
  }
  const bytes = Buffer.from(value, "utf8");
  length.writeInt16BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** A size-prefixed frame around a request's header and body. */
export function frame(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export interface Reader {
  int16(): number;
  int32(): number;
  int64(): number;
  uvarint(): number;
  compactString(): string | null;
  /** A classic string: int16 length, -1 for null. */
  string(): string | null;
  array<T>(item: () => T): T[];
  /** A classic array: int32 count, -1 for null (read as empty). */
  classicArray<T>(item: () => T): T[];
  /** Tagged fields are optional extras a newer broker may add; none are needed, so skip them. */
  taggedFields(): void;
}

/** Buffer's own reads throw RangeError past the end, which is how a truncated frame shows. */
export function createReader(buffer: Buffer): Reader {
  let at = 0;
  const reader: Reader = {
    int16() {
      const value = buffer.readInt16BE(at);
      at += 2;
      return value;
    },
    int32() {
      const value = buffer.readInt32BE(at);
      at += 4;
      return value;
    },
    int64() {
      const value = Number(buffer.readBigInt64BE(at));
      at += 8;
      return value;
    },
    uvarint() {
      let value = 0;
      for (let shift = 0; shift <= 28; shift += 7) {
        const byte = buffer.readUInt8(at++);
        value |= (byte & 0x7f) << shift;
        if ((byte & 0x80) === 0) return value >>> 0;
      }
      throw new Error("malformed unsigned varint");
    },
    compactString() {
      const length = reader.uvarint() - 1;
      if (length < 0) return null;
      if (at + length > buffer.length) throw new RangeError("string past the end of the frame");
      const value = buffer.toString("utf8", at, at + length);
      at += length;
      return value;
    },
    string() {
      const length = reader.int16();
      if (length < 0) return null;
      if (at + length > buffer.length) throw new RangeError("string past the end of the frame");
      const value = buffer.toString("utf8", at, at + length);
      at += length;
      return value;
    },
    classicArray(item) {
      return Array.from({ length: Math.max(0, reader.int32()) }, item);
    },
    array(item) {
      const length = reader.uvarint() - 1;
      return Array.from({ length: Math.max(0, length) }, item);
    },
    taggedFields() {
      const count = reader.uvarint();
      for (let i = 0; i < count; i++) {
        reader.uvarint(); // tag
        // Not `at += reader.uvarint()`: that adds to `at` as it was before the size was read.
        const size = reader.uvarint();
        at += size;
      }
    },
  };
  return reader;
}

/** Sends one frame and resolves with the response frame after its size prefix. */
export function exchange(broker: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  const colon = broker.lastIndexOf(":");
  const host = broker.slice(0, colon);
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      fail(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    // write, not end: a broker that reads end-of-stream closes the connection without answering.
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(received.subarray(4, 4 + size));
    });
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed before a full answer")));
  });
}
