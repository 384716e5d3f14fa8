import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Answers a request; undefined: 404 as control's own error shape. */
export type FakeRoute = (request: RecordedRequest) => FakeAnswer | undefined;

export interface FakeControl {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

/** A scripted stand-in for control's HTTP API on 127.0.0.1, recording what the CLI asked. */
export async function createFakeControl(route: FakeRoute): Promise<FakeControl> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void bodyOf(request).then((body) => {
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        path: request.url ?? "",
        authorization: request.headers.authorization,
        body,
      };
      requests.push(recorded);
      const answer = route(recorded) ?? {
        status: 404,
        body: { error: `no such endpoint: ${recorded.method} ${recorded.path}` },
      };
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
