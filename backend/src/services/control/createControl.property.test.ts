import fc from "fast-check";
import { io as connectSocket, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../../contract/fault.ts";
import {
  payloadArb,
  payloadText,
  payloadValue,
  type Payload,
} from "../../lib/fuzzPayload.fixture.ts";
import { waitFor } from "../../lib/waitFor.ts";
import { createFuzzedControl, type FuzzedControl } from "./fuzzedControl.fixture.ts";
import type { InMemoryControl } from "./inMemoryControl.fixture.ts";

/**
 * Issue 18's property for control's socket.io side: control accepts no events from clients
 * (contract/controlEvents.ts), so whatever a client sends (any event, any payload, broken
 * packets, raw WebSocket frames) changes nothing, crashes nothing, and leaves the other clients
 * and the HTTP API served as before.
 */

/** socket.io's maxHttpBufferSize: a bigger message closes its connection. */
const MAX_MESSAGE = 1_000_000;

let fuzzed: FuzzedControl;
let control: InMemoryControl;
/** A dashboard connected throughout: it must keep receiving what control pushes. */
let bystander: Socket;
const heard: Fault[] = [];

beforeAll(async () => {
  fuzzed = await createFuzzedControl();
  control = fuzzed.control;
  bystander = connectSocket(control.server.url, { transports: ["websocket"] });
  bystander.on("fault", (fault: Fault) => heard.push(fault));
  await waitFor(() => bystander.connected, { what: "the bystander", timeoutMs: 5000 });
});

afterAll(async () => {
  bystander.close();
  await control.close();
});

/** Control still serves: HTTP answers, and the bystander is still connected. */
async function expectServing(): Promise<void> {
  expect((await fetch(`${control.server.url}/api/faults`)).status).toBe(200);
  expect(bystander.connected).toBe(true);
}

/** The names the socket.io client refuses to emit. */
const RESERVED = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
/** socket.io's names for its own events, and what control pushes: a client sending them too. */
const eventNameArb = fc.oneof(
  fc.constantFrom(
    ...RESERVED,
    "error",
    "message",
    "faults",
    "fault",
    "topology",
    "run",
    "fleet",
    "anomaly",
    "kafka",
    "lifecycle",
    "__proto__",
    "constructor",
  ),
  fc.string({ maxLength: 40 }),
);

interface ClientEvent {
  readonly name: string;
  readonly args: readonly Payload[];
  /** Asks for an acknowledgement, which control never gives. */
  readonly ack: boolean;
}

const clientEventArb: fc.Arbitrary<ClientEvent> = fc.record({
  name: eventNameArb,
  args: fc.array(payloadArb({ maxDepth: 200_000, hugeBytes: MAX_MESSAGE }), { maxLength: 3 }),
  ack: fc.boolean(),
});

/** Deeper than this, the client's own (recursive) serialiser would overflow: sent raw. */
const SHALLOW = 1000;

/**
 * Sends the event as the socket.io client emits it where the client allows (a name it does not
 * reserve, values it can serialise); otherwise as the packet it would have written, raw.
 */
function send(socket: Socket, event: ClientEvent): void {
  const plain = event.args.every(
    (arg) => "json" in arg || "text" in arg || ("deep" in arg && arg.deep <= SHALLOW),
  );
  if (plain && !RESERVED.has(event.name)) {
    const args = event.args.map(payloadValue);
    if (event.ack) socket.emit(event.name, ...args, () => undefined);
    else socket.emit(event.name, ...args);
    return;
  }
  const args = event.args.map(
    (arg) => `,${"text" in arg ? JSON.stringify(arg.text) : payloadText(arg)}`,
  );
  socket.io.engine.send(`2${event.ack ? "7" : ""}[${JSON.stringify(event.name)}${args.join("")}]`);
}

/**
 * Waits until control has read everything `socket` sent: socket.io answers a connection to a
 * namespace it does not have, in order after the packets before it, or control dropped the
 * connection for what it sent.
 */
async function roundTrip(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => {
    if (!socket.connected) return resolve();
    const probe = socket.io.socket("/no-such-namespace");
    probe.on("connect_error", () => resolve());
    socket.on("disconnect", () => resolve());
    probe.connect();
  });
}

async function connected(): Promise<Socket> {
  const socket = connectSocket(control.server.url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Raw WebSocket frames: engine.io packets of every type, broken ones, binary, huge. */
const frameArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    "0",
    "1",
    "2",
    "2probe",
    "3",
    "3probe",
    "5",
    "6",
    "7",
    "40",
    "40/no-such-namespace,",
    "41",
    "42",
    "42[",
    '42["fault",{"id":"x"}]',
    "43",
    "431[]",
    "44",
    '451-["x",{"_placeholder":true,"num":0}]',
    '451-["x",{"_placeholder":true,"num":7}]',
    "46",
    "49",
    "4",
    "",
  ),
  fc.string({ maxLength: 100 }).map((text) => `4${text}`),
  fc.string({ maxLength: 100 }),
  fc.uint8Array({ maxLength: 100 }),
  fc.integer({ min: MAX_MESSAGE - 16, max: MAX_MESSAGE + 16 }).map((n) => `42${"x".repeat(n)}`),
  depthArbText(),
);

function depthArbText(): fc.Arbitrary<string> {
  return payloadArb({ maxDepth: 200_000, hugeBytes: 64 })
    .filter((payload) => "deep" in payload)
    .map((payload) => `42["x",${payloadText(payload)}]`);
}

/**
 * A WebSocket through engine.io's handshake and into socket.io's main namespace, as the client
 * library does it (open, then "40" answered by "40{sid}"), so that its frames reach control.
 */
async function joined(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.onerror = reject;
    socket.onmessage = (message: MessageEvent) => {
      const data = String(message.data);
      if (data.startsWith("0")) socket.send("40");
      if (data.startsWith("40")) resolve();
    };
  });
  socket.onmessage = null;
  return socket;
}

describe("control's socket.io under random client input", () => {
  it("takes any event with any payload from a client, and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(clientEventArb, { minLength: 1, maxLength: 4 }), async (events) => {
        const before = fuzzed.snapshot();
        const socket = await connected();
        try {
          for (const event of events) send(socket, event);
          await roundTrip(socket);
        } finally {
          socket.close();
        }
        expect(fuzzed.snapshot()).toEqual(before);
        await expectServing();
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("takes any raw WebSocket frames, and changes nothing", async () => {
    const url = `${control.server.url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 5 }), async (frames) => {
        const before = fuzzed.snapshot();
        const socket = await joined(url);
        const closed = new Promise((resolve) => {
          socket.onclose = resolve;
        });
        for (const frame of frames) socket.send(frame);
        // A close handshake the server answers after reading every frame before it.
        socket.close();
        await closed;
        expect(fuzzed.snapshot()).toEqual(before);
        await expectServing();
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("still pushes to its clients afterwards", async () => {
    const answer = await fetch(`${control.server.url}/api/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "kill", target: "consumer-1" }),
    });
    expect(answer.status).toBe(201);
    const { id } = (await answer.json()) as Fault;
    await waitFor(() => heard.some((fault) => fault.id === id), {
      what: "the fault pushed to the bystander",
      timeoutMs: 5000,
      intervalMs: 10,
    });
  });
});
