import { createServer, type Server } from "node:net";
import { afterEach } from "vitest";

/** Bytes written the way the protocol guide lays them out: hex, spaces and comments ignored. */
export function bytes(...parts: string[]): Buffer {
  return Buffer.from(parts.join("").replace(/\s+/g, ""), "hex");
}

/**
 * Fake brokers for the few requests spoken without kafkajs, closed after each test. A broker
 * reads one request frame and answers with `reply(correlation id)`, size-prefixed and in two
 * writes (a broker's answer may arrive in pieces), or never when "silent".
 */
export function useFakeBrokers(): (
  reply: ((correlationId: number) => Buffer) | "silent",
) => Promise<string> {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });
  return async (reply) => {
    const server = createServer((socket) => {
      socket.on("data", (request: Buffer) => {
        if (reply === "silent") return;
        const frame = reply(request.readInt32BE(8));
        const size = Buffer.alloc(4);
        size.writeInt32BE(frame.length, 0);
        socket.write(Buffer.concat([size, frame.subarray(0, 10)]));
        setTimeout(() => socket.write(frame.subarray(10)), 20);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return `127.0.0.1:${address.port}`;
  };
}
