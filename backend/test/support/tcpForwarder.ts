import { connect, createServer, type Socket } from "node:net";

export interface TcpForwarder {
  /** Starts accepting on the port; until then a connection there is refused. */
  open(): Promise<void>;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:`port` to 127.0.0.1:`target` once opened: a listener that comes up late. */
export function createTcpForwarder(port: number, target: number): TcpForwarder {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  return {
    open: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
}
