import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.ts";
import { createTestLab, type LabRun, type TestLab } from "../support/testLab.ts";

// The dashboard as an operator uses it: real Chromium against the real local lab (brokers,
// supervisor, consumers, fleet, control), clicking its buttons. Screenshots go to
// test-artifacts/dashboard/.
const built = join(import.meta.dirname, "../../../dashboard/dist/index.html");
const shots = join(import.meta.dirname, "../../../test-artifacts/dashboard");
const TOKEN = "dashboard-e2e-operator-token";
const QUICK_SCENARIO = [
  "name: dashboard-quick-run",
  "description: SIGTERM a random consumer while clients poll; nothing may go missing.",
  "seed: 3",
  "steady: 5s",
  "steps:",
  "  - kill: { target: consumer, pick: random, mode: graceful }",
  "  - wait: 10s",
  "slo:",
  "  missing: 0",
  "",
].join("\n");

let testLab: TestLab;
let lab: LabRun;
let browser: Browser;
let page: Page;
let scenariosDir: string;
let faultId = "";
/** What the page's Content-Security-Policy blocked, as the browser reported it. */
const violations: string[] = [];

beforeAll(async () => {
  if (!existsSync(built)) {
    throw new Error(
      `the dashboard is not built (${built} is missing): npm test builds it through ` +
        "scripts/bootstrap.mjs; by hand: npm run build --workspace dashboard",
    );
  }
  await mkdir(shots, { recursive: true });
  scenariosDir = await mkdtemp(join(tmpdir(), "blackout-dashboard-scenarios-"));
  await writeFile(join(scenariosDir, "dashboard-quick-run.yaml"), QUICK_SCENARIO);
  testLab = await createTestLab();
  lab = testLab.start([], { CONTROL_TOKEN: TOKEN, SCENARIOS_DIR: scenariosDir });
  await lab.waitUp();
  browser = await launchChromium();
  // Tall enough for the whole page: a full-page screenshot of a taller one repeats the sticky header.
  page = await browser.newPage({ viewport: { width: 1600, height: 1500 } });
  // The policy must let the built app run whole: every violation the browser reports is kept,
  // through the standard event and through the console (where Chromium also writes them).
  await page.exposeFunction("reportViolation", (violation: string) => violations.push(violation));
  await page.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (event) =>
      window.reportViolation(event.violatedDirective + " blocked " + event.blockedURI));`,
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  lab?.interrupt();
  if (lab !== undefined) {
    await Promise.race([lab.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  }
  await testLab?.destroy("dashboard-e2e-logs");
  await rm(scenariosDir, { recursive: true, force: true });
});

const card = (name: string) => page.getByRole("article", { name });
const faultRow = (id: string) => page.locator(`table.faults tr[data-fault-id="${id}"]`);

describe("the dashboard against the real local lab", () => {
  it("is read-only without the operator token, and lets the operator act once given", async () => {
    const answer = await page.goto(testLab.urls.control);
    const headers = answer?.headers() ?? {};
    expect(headers["content-security-policy"]).toMatch(/^default-src 'none'; script-src 'self';/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    await card("consumer-1").waitFor();
    const killHard = card("consumer-1").getByRole("button", { name: "Kill hard" });
    expect(await killHard.isDisabled()).toBe(true);
    // The session comes on its own request, which may answer after the topology arrived: until
    // then the button says it waits for control.
    await expect
      .poll(() => killHard.getAttribute("title"), { timeout: 10_000 })
      .toBe("read-only: enter the operator token to act");
    expect(await page.getByRole("button", { name: "Emergency stop" }).isDisabled()).toBe(true);
    await page.getByLabel("operator token").fill(TOKEN);
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByText("operator", { exact: true }).waitFor();
    await expect.poll(() => killHard.isEnabled(), { timeout: 10_000 }).toBe(true);
  });

  it("kills a consumer hard from its card and shows the fault's recovery times and its band on every chart", async () => {
    // Let the charts gather a steady state first, as an operator would watch before acting.
    await page.waitForTimeout(10_000);
    await card("consumer-1").getByRole("button", { name: "Kill hard" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain("SIGKILL consumer-1");
    await dialog.getByRole("button", { name: "Kill consumer-1" }).click();
    const notice = page.getByRole("status");
    await notice.waitFor();
    faultId = /Fault (\S+) injected/.exec((await notice.textContent()) ?? "")?.[1] ?? "";
    expect(faultId).toMatch(/consumer-1/);
    await faultRow(faultId).waitFor({ timeout: 10_000 });
    await card("consumer-1").getByText("down", { exact: true }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, "fault-recovering.png"), fullPage: true });

    // The replacement waits out the dead member's session (10 s here), then the report settles.
    await faultRow(faultId)
      .locator(".status", { hasText: "complete" })
      .waitFor({ timeout: 150_000 });
    const cell = (name: string) => faultRow(faultId).locator(name).textContent();
    expect(await cell(".pod-recovery")).toMatch(/^\d+(\.\d)? (ms|s)$/);
    expect(await cell(".client-recovery")).toMatch(/^[\d.]+ m?s \/ [\d.]+ m?s \/ [\d.]+ m?s/);
    expect(await cell(".lag-recovery")).toMatch(/^\d+(\.\d)? (ms|s)$/);
    // Beside them the floor Kafka sets: the dead member's session, with the setting on hover.
    expect(await cell(".floor")).toBe("10.0 s");
    expect(await faultRow(faultId).locator(".floor").getAttribute("title")).toContain(
      "SESSION_TIMEOUT_MS 10 s",
    );
    // The fleet's ledgers say nothing went missing: the table shows their window totals.
    expect(await faultRow(faultId).locator("td").nth(9).textContent()).toBe("0");
    // One band per chart: ledger, stalls, latency, lag, throughput.
    const bands = page.locator(`.fault-band[data-fault-id="${faultId}"]`);
    await expect.poll(() => bands.count(), { timeout: 5000 }).toBe(5);
    expect(await bands.first().textContent()).toBe(faultId);
    await page.screenshot({ path: join(shots, "fault-recovered.png"), fullPage: true });

    await faultRow(faultId).click();
    await page.getByRole("button", { name: "back to live" }).waitFor();
    await expect.poll(() => bands.count()).toBe(5);
    await page.screenshot({ path: join(shots, "fault-zoomed.png"), fullPage: true });
    await page.getByRole("button", { name: "back to live" }).click();
    await expect.poll(() => page.getByRole("button", { name: "back to live" }).count()).toBe(0);

    // Dragging across one chart zooms them all to that range.
    const plot = page.locator(".chart-plot .u-over").first();
    const box = await plot.boundingBox();
    if (box === null) throw new Error("the first chart has no plot area");
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByRole("button", { name: "back to live" }).click();
  });

  it("plans a kill in dry-run mode without doing it", async () => {
    const faults = await page.locator("table.faults tbody tr").count();
    await page.getByRole("checkbox", { name: /dry run/ }).check();
    await card("kafka-1").getByRole("button", { name: "Kill hard" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Dry run" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toMatch(/^Dry run: would kill kafka-1 \(hard\).*Nothing changed\./);
    await page.getByRole("checkbox", { name: /dry run/ }).uncheck();
    expect(await page.locator("table.faults tbody tr").count()).toBe(faults);
    expect(await card("kafka-1").getByText("ready", { exact: true }).count()).toBe(1);
  });

  it("freezes a consumer, and the emergency stop thaws it", async () => {
    const frozen = card("consumer-2");
    await frozen.getByRole("spinbutton").fill("120");
    await frozen.getByRole("button", { name: "Freeze" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Freeze consumer-2" }).click();
    await frozen.getByText("frozen", { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Emergency stop" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Stop" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toMatch(/^Emergency stop: thawed consumer-2; aborted no run\./);
    await frozen.getByText("ready", { exact: true }).waitFor({ timeout: 30_000 });
    // On a laptop's screen too: the panels stack, nothing is cut off.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: join(shots, "laptop.png") });
    await page.setViewportSize({ width: 1600, height: 1500 });
  });

  it("shows a lost connection to control and recovers from it by itself", async () => {
    const control = (await testLab.components()).find((c) => c.name === "control");
    expect(control?.pid).toBeDefined();
    process.kill(control?.pid ?? 0, "SIGKILL");
    await page.locator('[data-connection="lost"]').waitFor({ timeout: 15_000 });
    expect(await page.getByRole("alert").textContent()).toMatch(/Connection to control lost/);
    // The supervisor restarts control; the dashboard reconnects and loads the timeline again,
    // which control read back from Kafka.
    await page.locator('[data-connection="live"]').waitFor({ timeout: 60_000 });
    await faultRow(faultId).waitFor({ timeout: 10_000 });
    await page.getByText("operator", { exact: true }).waitFor();
  });

  it("runs a scenario, follows its progress, and offers its scorecard and reports", async () => {
    const panel = page.getByRole("region", { name: "scenarios" });
    await panel
      .getByRole("combobox", { name: "scenario" })
      .selectOption("dashboard-quick-run.yaml");
    await panel.getByRole("button", { name: "Run" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Run" }).click();
    const run = panel.locator(".run");
    await run.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => run.getAttribute("data-run-status"), { timeout: 150_000, interval: 1000 })
      .toBe("passed");
    expect(await run.locator("table.slos").textContent()).toMatch(/missing.*pass/);
    const href = await run.getByRole("link", { name: "report.json" }).getAttribute("href");
    const report = (await (
      await page.request.get(new URL(href ?? "", page.url()).href)
    ).json()) as {
      run: { scenario: string; actor: string; status: string };
    };
    expect(report.run).toMatchObject({
      scenario: "dashboard-quick-run",
      actor: "dashboard",
      status: "passed",
    });
    await page.screenshot({ path: join(shots, "scenario-passed.png"), fullPage: true });
  });

  it("ran all of it without a Content-Security-Policy violation", () => {
    expect(violations).toEqual([]);
  });
});
