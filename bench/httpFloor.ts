// The floor Node's HTTP sets for one hop of a poll, measured in the same sitting as the fleet: a
// bare node:http server (and a bare Koa app) answering a records answer of the same shape, polled
// by a bare keep-alive node:http client at the fleet's rate. What a hop of ours costs above this is
// ours to remove; what the floor costs is not. Server and client run as child processes of this
// file, so that /proc gives each one's CPU alone.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import Koa from "koa";
import { cpuMs } from "./procStat.ts";

export interface HttpFloorSettings {
  /** Clients polling at once, each every `pollMs` (start to start). */
  clients: number;
  pollMs: number;
  /** Records in each answer, as many as a poll brings at the lab's rate. */
  recordsPerAnswer: number;
  warmupS: number;
  windowS: number;
}

export interface HttpFloor {
  requestsPerSecond: number;
  /** CPU ms a request, for the client and each kind of server. */
  cpuMsPerRequest: { client: number; nodeServer: number; koaServer: number };
}

type ServerKind = "node" | "koa";

/** A consumer's answer with `records` records from two producers. */
function answerOf(records: number): object {
  const at = Date.now();
  return {
    consumer: "consumer-0",
    ready: true,
    records: Array.from({ length: records }, (_, i) => ({
      producer: `producer-${i % 2}`,
      seq: 100_000 + i,
      ts: at + i,
    })),
    cursor: "producer-0:100018,producer-1:100019",
    heads: { "producer-0": 100_018, "producer-1": 100_019 },
    truncated: false,
  };
}

function serve(kind: ServerKind, records: number): void {
  const answer = answerOf(records);
  let server: http.Server;
  if (kind === "koa") {
    const app = new Koa();
    app.use((ctx) => {
      ctx.set("Cache-Control", "no-store");
      ctx.body = answer;
    });
    const handle = app.callback();
    server = http.createServer((req, res) => void handle(req, res));
  } else {
    server = http.createServer((_req, res) => {
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.setHeader("cache-control", "no-store");
      res.end(JSON.stringify(answer));
    });
  }
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    process.stdout.write(`listening ${address.port}\n`);
  });
}

/** Polls with `clients` loops until killed, counting answers; prints the count on SIGUSR2. */
function poll(port: number, clients: number, pollMs: number): void {
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 4096 });
  let answers = 0;
  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/api/records", agent }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.once("end", () => {
          JSON.parse(text);
          answers += 1;
          resolve();
        });
      });
      req.once("error", reject);
    });
  const loop = async (): Promise<void> => {
    await sleep(Math.random() * pollMs);
    for (;;) {
      const started = performance.now();
      await once();
      await sleep(Math.max(0, started + pollMs - performance.now()));
    }
  };
  for (let i = 0; i < clients; i += 1) void loop();
  process.on("SIGUSR2", () => process.stdout.write(`answers ${answers}\n`));
}

function child(args: string[]): { process: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, [import.meta.filename, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  return { process: proc, lines };
}

async function nextLine(lines: AsyncIterator<string>, prefix: string): Promise<number> {
  const next = await lines.next();
  const value: unknown = next.value;
  if (next.done === true || typeof value !== "string" || !value.startsWith(`${prefix} `)) {
    throw new Error(`http floor: expected "${prefix} <n>", got ${String(value)}`);
  }
  return Number(value.slice(prefix.length + 1));
}

async function measureOne(
  kind: ServerKind,
  settings: HttpFloorSettings,
): Promise<{ perSecond: number; clientMs: number; serverMs: number }> {
  const server = child(["serve", kind, String(settings.recordsPerAnswer)]);
  let client: ReturnType<typeof child> | undefined;
  try {
    const port = await nextLine(server.lines, "listening");
    client = child(["poll", String(port), String(settings.clients), String(settings.pollMs)]);
    await sleep(settings.warmupS * 1000);
    const count = async (): Promise<number> => {
      client?.process.kill("SIGUSR2");
      return nextLine(client!.lines, "answers");
    };
    const startAnswers = await count();
    const start = {
      at: performance.now(),
      client: cpuMs(client.process.pid),
      server: cpuMs(server.process.pid),
    };
    await sleep(settings.windowS * 1000);
    const endAnswers = await count();
    const end = {
      at: performance.now(),
      client: cpuMs(client.process.pid),
      server: cpuMs(server.process.pid),
    };
    const answers = endAnswers - startAnswers;
    if (answers === 0) throw new Error("http floor: no answer in the window");
    return {
      perSecond: (answers * 1000) / (end.at - start.at),
      clientMs: (end.client - start.client) / answers,
      serverMs: (end.server - start.server) / answers,
    };
  } finally {
    client?.process.kill("SIGKILL");
    server.process.kill("SIGKILL");
  }
}

const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** The floor at one fleet size and poll interval: a bare node:http server, then a bare Koa app. */
export async function measureHttpFloor(settings: HttpFloorSettings): Promise<HttpFloor> {
  const node = await measureOne("node", settings);
  const koa = await measureOne("koa", settings);
  return {
    requestsPerSecond: round((node.perSecond + koa.perSecond) / 2, 1),
    cpuMsPerRequest: {
      client: round((node.clientMs + koa.clientMs) / 2, 3),
      nodeServer: round(node.serverMs, 3),
      koaServer: round(koa.serverMs, 3),
    },
  };
}

if (process.argv[1] === import.meta.filename) {
  const [role, ...roleArgs] = process.argv.slice(2);
  if (role === "serve") serve(roleArgs[0] as ServerKind, Number(roleArgs[1]));
  else if (role === "poll") poll(Number(roleArgs[0]), Number(roleArgs[1]), Number(roleArgs[2]));
}
