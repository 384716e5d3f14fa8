import { Kafka, logLevel, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { countByProducer, missingNumbers, readTopic } from "../support/readTopic.ts";
import { startService, type ServiceProcess } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

const brokers = inject("kafkaBrokers");
const started: ServiceProcess[] = [];
let admin: Admin;
beforeAll(async () => {
  admin = new Kafka({ clientId: "producer-test", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(started.map((service) => service.kill("SIGKILL")));
  await admin.disconnect();
});

/** The read-back consumer groups of a topic's producers that Kafka lists. */
async function readBackGroups(topic: string): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((g) => g.groupId).filter((id) => id.startsWith(`${topic}.producer.`));
}

interface ProducerState {
  lastAcknowledged: number;
  ratePerSecond: number;
  paused: boolean;
}

async function state(producer: ServiceProcess): Promise<ProducerState> {
  return (await (await fetch(`${producer.url}/api/state`)).json()) as ProducerState;
}

async function call(producer: ServiceProcess, method: string, path: string, body?: string) {
  const response = await fetch(`${producer.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function launch(env: Record<string, string>, port: number): ServiceProcess {
  const producer = startService("producer", port, env);
  started.push(producer);
  return producer;
}

async function waitForNumber(producer: ServiceProcess, atLeast: number): Promise<number> {
  return waitFor(
    async () => {
      const { lastAcknowledged } = await state(producer);
      return lastAcknowledged >= atLeast ? lastAcknowledged : undefined;
    },
    { what: `number ${atLeast} to be acknowledged`, timeoutMs: 60_000, intervalMs: 100 },
  );
}

describe("a producer", () => {
  it("SIGKILLed mid-stream and restarted: every number from 1 to the last, exactly once, and no read-back group left", async () => {
    const [port = 0] = await freePorts(1);
    const env = {
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: uniqueName("numbers"),
      PRODUCER_ID: "producer-0",
      RATE_PER_SECOND: "200",
      LOG_LEVEL: "warn",
    };
    const first = launch(env, port);
    await first.waitReady();
    const beforeKill = await waitForNumber(first, 300);
    expect(await first.kill("SIGKILL")).toBe(null);

    const second = launch(env, port);
    await second.waitReady();
    await waitForNumber(second, beforeKill + 300);
    // The killed incarnation's group is deleted once its dead member's session expires: only the
    // live one stays, and a clean stop deletes that too.
    await waitFor(
      async () => ((await readBackGroups(env.KAFKA_TOPIC)).length === 1 ? true : undefined),
      {
        what: "the killed producer's read-back group to be deleted",
        timeoutMs: 40_000,
        intervalMs: 1000,
      },
    );
    await call(second, "POST", "/api/pause");
    const { lastAcknowledged } = await state(second);
    expect(await second.kill("SIGTERM")).toBe(0);
    expect(await readBackGroups(env.KAFKA_TOPIC)).toEqual([]);

    const seqs = countByProducer(await readTopic(brokers, env.KAFKA_TOPIC)).get("producer-0");
    expect(seqs).toBeDefined();
    expect(missingNumbers(seqs ?? new Map<number, number>())).toEqual([]);
    expect(Math.max(...(seqs?.keys() ?? []))).toBe(lastAcknowledged);
    const repeated = [...(seqs?.entries() ?? [])].filter(([, count]) => count > 1);
    expect(repeated).toEqual([]);
  });

  it("answers bad input with a 4xx that says what is wrong, and changes nothing", async () => {
    const [port = 0] = await freePorts(1);
    const producer = launch(
      {
        KAFKA_BROKERS: brokers.join(","),
        KAFKA_TOPIC: uniqueName("numbers"),
        PRODUCER_ID: "producer-1",
        RATE_PER_SECOND: "5",
        LOG_LEVEL: "warn",
      },
      port,
    );
    await producer.waitReady();
    const cases: [string, string, string | undefined, number, string][] = [
      ["PUT", "/api/rate", '{"perSecond":"fast"}', 400, "perSecond must be a number"],
      ["PUT", "/api/rate", '{"perSecond":-1}', 400, "perSecond must be at least 0"],
      ["PUT", "/api/rate", '{"perSecond":1e9}', 400, "perSecond must be at most 50000"],
      ["PUT", "/api/rate", "[1,2", 400, "body is not valid JSON"],
      [
        "PUT",
        "/api/rate",
        JSON.stringify({ perSecond: 1, pad: "x".repeat(20_000) }),
        413,
        "too large",
      ],
      ["GET", "/api/nothing", undefined, 404, "no such endpoint: GET /api/nothing"],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await call(producer, method, path, body);
      expect({ path, body: body?.slice(0, 30), status: answer.status }).toEqual({
        path,
        body: body?.slice(0, 30),
        status,
      });
      expect(String(answer.body.error)).toContain(message);
    }
    expect(await state(producer)).toMatchObject({ ratePerSecond: 5, paused: false });

    const changed = await call(producer, "PUT", "/api/rate", '{"perSecond":50}');
    expect(changed.body).toMatchObject({ ratePerSecond: 50 });
    expect((await call(producer, "POST", "/api/pause")).body).toMatchObject({ paused: true });
    const pausedAt = (await state(producer)).lastAcknowledged;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await state(producer)).lastAcknowledged).toBe(pausedAt);
    expect((await call(producer, "POST", "/api/resume")).body).toMatchObject({ paused: false });
    await waitForNumber(producer, pausedAt + 5);
    await producer.kill("SIGTERM");
  });
});
