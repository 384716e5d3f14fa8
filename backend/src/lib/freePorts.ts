import { createServer } from "node:net";

/**
 * Where test and benchmark services listen: below Linux's ephemeral range (32768-60999 by
 * default), which outgoing connections take their local ports from. A port the OS hands out with
 * listen(0) comes from that range, and on a machine making thousands of connections (a fleet of
 * clients) one of them can take it between the check and the service's own listen (seen: a
 * producer dying with EADDRINUSE). Above the lab's own defaults (7100-9090, 19092-39093).
 */
const LOW = 20_000;
const HIGH = 32_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const randomPort = (room: number): number => LOW + Math.floor(Math.random() * (HIGH - LOW - room));

/** `count` distinct free loopback ports, so that test clusters never collide with the lab. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = randomPort(0);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

/** The first of `count` free loopback ports in a row (for instances listening on base + N). */
export async function consecutiveFreePorts(count: number): Promise<number> {
  for (;;) {
    const base = randomPort(count);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
}
