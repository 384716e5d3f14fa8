// The client page's script, bundled together with the ledger by pageRoutes.ts and served as
// app.js: the only file of the page that touches the DOM.
import { createLedger } from "../../../ledger/ledger.ts";
import type { Ledger, LedgerEvent } from "../../../ledger/ledger.ts";
import { summarizeLedgers } from "../../../ledger/clientSummary.ts";
import { createNumberStrips } from "./numberStrips.ts";
import { PAGE_CONFIG_ID, parsePageConfig } from "./pageHtml.ts";
import { formatEvent, formatPageView } from "./pageView.ts";
import type { PageView } from "./pageView.ts";
import { createRecordsPoller } from "../../../ledger/recordsPoller.ts";
import { longPollParameter } from "./longPollParameter.ts";

const STRIP_LENGTH = 20;
const EVENTS_SHOWN = 12;
/** While polls are far apart (backing off), the countdown and stall time still move. */
const IDLE_RENDER_MS = 1000;
/** How often the page reports its summary to control, like the simulated fleet. */
const REPORT_MS = 1000;

type TextSetter = (text: string) => void;

function byTestId(testId: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (element === null) throw new Error(`client page: no element with data-testid "${testId}"`);
  return element;
}

/** The element's one text node, written only when the text changes: renders stay cheap. */
function textOf(element: HTMLElement): TextSetter {
  const node = document.createTextNode(element.textContent);
  element.replaceChildren(node);
  return (text) => {
    if (node.data !== text) node.data = text;
  };
}

interface ProducerRow {
  readonly row: HTMLTableRowElement;
  readonly head: TextSetter;
  readonly received: TextSetter;
  readonly missing: TextSetter;
  readonly missingCell: HTMLElement;
  readonly strip: TextSetter;
}

function createProducerRow(id: string): ProducerRow {
  const row = document.createElement("tr");
  const cell = (testId: string, className = ""): HTMLElement => {
    const td = document.createElement("td");
    td.dataset["testid"] = testId;
    if (className !== "") td.className = className;
    row.append(td);
    return td;
  };
  cell(`producer-${id}-name`).textContent = id;
  const head = textOf(cell(`producer-${id}-head`));
  const received = textOf(cell(`producer-${id}-received`));
  const missingCell = cell(`producer-${id}-missing`);
  const missing = textOf(missingCell);
  const strip = textOf(cell(`producer-${id}-strip`, "strip"));
  return { row, head, received, missing, missingCell, strip };
}

function startPage(): void {
  const connectionElement = byTestId("connection");
  const config = parsePageConfig(document.getElementById(PAGE_CONFIG_ID)?.textContent ?? "");
  const ledger = createLedger({ stallMs: config.stallMs });
  const strips = createNumberStrips(STRIP_LENGTH);

  const connection = textOf(connectionElement);
  const consumer = textOf(byTestId("consumer"));
  const missingElement = byTestId("missing");
  const counterIds = [
    "missing",
    "duplicates",
    "stale",
    "failed-polls",
    "stalls",
    "longest-stall",
    "current-stall",
    "latency-p50",
    "latency-p99",
    "fresh-records",
    "polls",
  ] as const satisfies readonly (keyof PageView["counters"])[];
  const counters = counterIds.map((id) => [id, textOf(byTestId(id))] as const);
  const producersBody = byTestId("producers");
  const rows = new Map<string, ProducerRow>();
  const eventList = byTestId("events");

  function showEvents(events: readonly LedgerEvent[]): void {
    for (const event of events.slice(-EVENTS_SHOWN)) {
      const item = document.createElement("li");
      item.textContent = formatEvent(event);
      eventList.prepend(item);
    }
    while (eventList.children.length > EVENTS_SHOWN) eventList.lastElementChild?.remove();
  }

  function apply(view: PageView): void {
    connection(view.connection);
    connectionElement.classList.toggle("live", view.live);
    connectionElement.classList.toggle("down", !view.live);
    consumer(view.consumer);
    for (const [id, set] of counters) set(view.counters[id]);
    missingElement.classList.toggle("alarm", view.missingAlarm);
    let added = false;
    for (const producer of view.producers) {
      let row = rows.get(producer.id);
      if (row === undefined) {
        row = createProducerRow(producer.id);
        rows.set(producer.id, row);
        added = true;
      }
      row.head(producer.head);
      row.received(producer.received);
      row.missing(producer.missing);
      row.missingCell.classList.toggle("alarm", producer.missingAlarm);
      row.strip(producer.strip);
    }
    // Producers come and go seldom: re-append the rows in id order only then.
    if (added) {
      producersBody.replaceChildren(
        ...view.producers.flatMap((producer) => rows.get(producer.id)?.row ?? []),
      );
    }
  }

  let renderQueued = false;
  let lastRenderAt = 0;
  function render(): void {
    renderQueued = false;
    const now = Date.now();
    lastRenderAt = now;
    apply(formatPageView(ledger.snapshot(now), poller.state(), strips, now));
  }
  // At most one render per frame, however many polls and ticks asked for one.
  function scheduleRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(render);
  }

  const poller = createRecordsPoller({
    url: "api/records",
    pollMs: config.pollMs,
    waitMs: longPollParameter(location.search),
    fetch: (url, init) => fetch(url, { ...init, headers: { accept: "application/json" } }),
    now: () => Date.now(),
    random: () => Math.random(),
    onAnswer(answer, receivedAt) {
      const outcome = ledger.recordAnswer(answer, receivedAt);
      strips.add(outcome.fresh);
      showEvents(outcome.events);
      scheduleRender();
    },
    onFailure(at, reason, detail) {
      showEvents(ledger.recordFailure(at, reason, detail));
      scheduleRender();
    },
  });

  setInterval(() => {
    const now = Date.now();
    showEvents(ledger.tick(now));
    if (now - lastRenderAt >= IDLE_RENDER_MS) scheduleRender();
  }, IDLE_RENDER_MS);
  if (config.controlUrl !== null) reportTo(config.controlUrl, ledger, config.stallMs);
  poller.start();
  scheduleRender();
}

/**
 * Sends this page's ledger summary to control every second, as the simulated fleet does, so that
 * real browsers appear in the lab next to simulated clients. One report in flight at most; a
 * report control does not take is dropped (the next one carries the same totals).
 */
function reportTo(controlUrl: string, ledger: Ledger, stallMs: number): void {
  const source = `browser-${crypto.randomUUID().slice(0, 8)}`;
  let inFlight = false;
  setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    const at = Date.now();
    const summary = summarizeLedgers([ledger.snapshot(at)], at, stallMs);
    fetch(`${controlUrl}/api/fleet/summary`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ source, ...summary }),
    })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
      });
  }, REPORT_MS);
}

try {
  startPage();
} catch (error) {
  const connection = document.querySelector('[data-testid="connection"]');
  if (connection !== null) connection.textContent = `page error: ${String(error)}`;
  throw error;
}
