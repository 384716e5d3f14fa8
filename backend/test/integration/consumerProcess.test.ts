import { randomBytes } from "node:crypto";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { encodeRecord, numbersTopicSpec } from "../../src/kafka/records.ts";
import { ensureTopic } from "../../src/kafka/topics.ts";
import { freePorts } from "../../src/lib/freePorts.ts";
import { json, wholeView, type RecordsAnswer } from "../support/serviceApi.ts";
import { startService, type ServiceProcess } from "../support/serviceProcess.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { uniqueName } from "../support/testCluster.ts";

// The consumer as the lab starts it: its own process, its entry point, SIGTERM to stop it.
const brokers = inject("kafkaBrokers");
const kafka = new Kafka({ clientId: "consumer-process-test", brokers, logLevel: logLevel.NOTHING });
let admin: Admin;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((service) => service.kill("SIGKILL")));
});
afterAll(async () => {
  await admin.disconnect();
});

function startConsumer(port: number, env: Record<string, string>): ServiceProcess {
  const service = startService("consumer", port, env);
  started.push(service);
  return service;
}

describe("the consumer process", () => {
  it("comes up, serves its view and the page, and on SIGTERM leaves its group and exits 0", async () => {
    const topic = uniqueName("numbers");
    await ensureTopic(admin, numbersTopicSpec(topic, 6));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [1, 2, 3].map((seq) => encodeRecord({ producer: "producer-0", seq, ts: seq })),
    });
    await producer.disconnect();

    const id = `consumer-${randomBytes(4).toString("hex")}`;
    const [port = 0] = await freePorts(1);
    const run = startConsumer(port, {
      CONSUMER_ID: id,
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: topic,
      SESSION_TIMEOUT_MS: "10s",
    });
    await run.waitReady();
    const url = run.url;
    const answer = (await (await fetch(`${url}/api/records?cursor=producer-0:1`)).json()) as {
      consumer: string;
      records: unknown[];
    };
    expect(answer).toMatchObject({
      consumer: id,
      ready: true,
      records: [
        { producer: "producer-0", seq: 2, ts: 2 },
        { producer: "producer-0", seq: 3, ts: 3 },
      ],
      cursor: "producer-0:3",
      heads: { "producer-0": 3 },
    });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain("blackout_consumer_ready 1");
    // The client page is mounted on the same server.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const groupId = `blackout-view-${id}`;
    const [group] = (await admin.describeGroups([groupId])).groups;
    expect(group?.members).toHaveLength(1);

    expect(await run.kill("SIGTERM")).toBe(0);
    expect(run.output()).toContain('"msg":"stopped"');
    // It left the group rather than waiting for its session to expire.
    const [after] = (await admin.describeGroups([groupId])).groups;
    expect(after?.members).toEqual([]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("with TAKE_OVER_GROUP, a replacement for a SIGKILLed consumer removes the member it left and is ready before that member's session would expire", async () => {
    const topic = uniqueName("numbers");
    await ensureTopic(admin, numbersTopicSpec(topic, 6));
    const id = `consumer-${randomBytes(4).toString("hex")}`;
    const groupId = `blackout-view-${id}`;
    const [port = 0] = await freePorts(1);
    const env = {
      CONSUMER_ID: id,
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: topic,
      SESSION_TIMEOUT_MS: "60s",
      TAKE_OVER_GROUP: "true",
    };
    const first = startConsumer(port, env);
    await first.waitReady();
    const [before] = (await admin.describeGroups([groupId])).groups;
    const dead = before?.members.map((member) => member.memberId);
    expect(dead).toHaveLength(1);

    await first.kill("SIGKILL");
    const killedAt = Date.now();
    const replacement = startConsumer(port, env);
    // Without the take-over the join waits out the dead member's 60 s session (see the next test
    // for the same wait at 6 s); 45 s leaves a loaded CI machine room to start a Node process.
    await replacement.waitReady(45_000);
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(replacement.output()).toContain("removed the members a predecessor left in the group");
    const [after] = (await admin.describeGroups([groupId])).groups;
    expect(after?.state).toBe("Stable");
    expect(after?.members).toHaveLength(1);
    expect(after?.members[0]?.memberId).not.toBe(dead?.[0]);
  });

  it("refuses a wrong setting, naming the variable, and exits non-zero", async () => {
    const run = startConsumer(0, { HTTP_PORT: "http", CONSUMER_ID: "Consumer_0" });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('HTTP_PORT: expected a port number (1-65535), got "http"');
    expect(run.output()).toContain(
      'CONSUMER_ID: expected lower-case letters, digits and dashes, got "Consumer_0"',
    );
  });

  it("restarted while records keep flowing: not ready until caught up, then the same view as a survivor", async () => {
    const [producerPort = 0, survivorPort = 0, restartedPort = 0] = await freePorts(3);
    const common = {
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: uniqueName("numbers"),
      LOG_LEVEL: "warn",
    };
    const producer = startService("producer", producerPort, { ...common, RATE_PER_SECOND: "100" });
    started.push(producer);
    const consumerEnv = (id: string) => ({ ...common, CONSUMER_ID: id, SESSION_TIMEOUT_MS: "6s" });
    const survivor = startConsumer(survivorPort, consumerEnv("consumer-0"));
    const first = startConsumer(restartedPort, consumerEnv("consumer-1"));
    await Promise.all([producer.waitReady(), survivor.waitReady(), first.waitReady()]);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    await first.kill("SIGKILL");
    const restarted = startConsumer(restartedPort, consumerEnv("consumer-1"));
    // Its predecessor's session still holds the partitions: it answers, but is not ready.
    const readiness = await waitFor(async () => (await fetch(`${restarted.url}/readyz`)).status, {
      what: "the restarted consumer to answer",
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    expect(readiness).toBe(503);
    await restarted.waitReady();

    const { lastAcknowledged } = await json<{ lastAcknowledged: number }>(
      `${producer.url}/api/pause`,
      { method: "POST" },
    );
    for (const consumer of [survivor, restarted]) {
      await waitFor(
        async () => {
          const { heads } = await json<RecordsAnswer>(`${consumer.url}/api/records`);
          return heads["producer-0"] === lastAcknowledged;
        },
        { what: "both consumers to reach the last number", timeoutMs: 60_000 },
      );
    }
    const expected = Array.from({ length: lastAcknowledged }, (_, i) => i + 1);
    expect((await wholeView(restarted, ["producer-0"])).get("producer-0")).toEqual(expected);
    expect(await wholeView(restarted, ["producer-0"])).toEqual(
      await wholeView(survivor, ["producer-0"]),
    );
  });
});
