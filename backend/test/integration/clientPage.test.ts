import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { freePorts } from "../../src/lib/freePorts.ts";
import { waitFor } from "../../src/lib/waitFor.ts";
import { CHROMIUM, launchChromium } from "../support/browser.ts";
import { startService, type ServiceProcess } from "../support/serviceProcess.ts";
import { uniqueName } from "../support/testCluster.ts";

// The client page in a real browser: Debian's Chromium driven by playwright-core (no download).
const artifacts = join(import.meta.dirname, "../../../test-artifacts");
const brokers = inject("kafkaBrokers");
const services: ServiceProcess[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(services.map((service) => service.kill("SIGKILL")));
});

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}

async function headOf(page: Page): Promise<number> {
  return Number((await text(page, "producer-producer-0-head")).replace(/\D/g, "")) || 0;
}

it("shows numbers arriving and keeps polling through a consumer restart", async () => {
  if (!browser) throw new Error(`no browser: is ${CHROMIUM} installed (Debian package chromium)?`);
  const [producerPort = 0, consumerPort = 0] = await freePorts(2);
  const common = {
    KAFKA_BROKERS: brokers.join(","),
    KAFKA_TOPIC: uniqueName("numbers"),
    LOG_LEVEL: "warn",
  };
  const consumerEnv = {
    ...common,
    CONSUMER_ID: "consumer-0",
    SESSION_TIMEOUT_MS: "6s",
    POLL_MS: "250",
  };
  const producer = startService("producer", producerPort, { ...common, RATE_PER_SECOND: "20" });
  let consumer = startService("consumer", consumerPort, consumerEnv);
  services.push(producer, consumer);
  await Promise.all([producer.waitReady(), consumer.waitReady()]);

  const page = await browser.newPage();
  await page.goto(`${consumer.url}/`);
  const first = await waitFor(async () => ((await headOf(page)) > 0 ? headOf(page) : undefined), {
    what: "the page to show producer-0's numbers",
    timeoutMs: 30_000,
  });
  await waitFor(async () => (await headOf(page)) > first + 5, {
    what: "more numbers to arrive",
    timeoutMs: 30_000,
  });
  expect(await text(page, "connection")).toBe("live");
  expect(await text(page, "consumer")).toBe("consumer-0");
  await page.screenshot({ path: join(artifacts, "client-page-live.png"), fullPage: true });

  // The consumer dies hard: the page notices, retries with backoff, and never gives up.
  await consumer.kill("SIGKILL");
  await waitFor(async () => (await text(page, "connection")).startsWith("reconnecting"), {
    what: "the page to show that it is reconnecting",
    timeoutMs: 30_000,
  });
  const beforeRestart = await headOf(page);
  await page.screenshot({ path: join(artifacts, "client-page-reconnecting.png"), fullPage: true });
  expect(Number(await text(page, "failed-polls"))).toBeGreaterThan(0);

  consumer = startService("consumer", consumerPort, consumerEnv);
  services.push(consumer);
  await consumer.waitReady();
  await waitFor(async () => (await headOf(page)) > beforeRestart + 5, {
    what: "numbers to arrive again after the restart",
    timeoutMs: 60_000,
  });
  expect(await text(page, "connection")).toBe("live");
  expect(await text(page, "missing")).toBe("0");
  await page.screenshot({ path: join(artifacts, "client-page-recovered.png"), fullPage: true });
});
