// A stand-in for the consumers' records API, for the fleet's tests (unit and integration): it
// answers `GET /api/records?cursor=…` as a consumer does, from records the test produces.
import type { LedgerRecord } from "../../contract/recordsAnswer.ts";
import type { FetchLike } from "../../ledger/recordsPoller.ts";

/** How every request fails from now on; undefined: requests are answered. */
export type Outage = "refused" | "timeout" | "unavailable" | undefined;

export interface FakeRecordsApi {
  /** Appends the next `count` numbers of `producer`, stamped with the clock's now. */
  produce(producer: string, count?: number): void;
  /** Takes the next number of `producer` but never serves it: a record lost. Answers the number. */
  lose(producer: string): number;
  setOutage(outage: Outage): void;
  /** The answer to one request's cursor parameter (null: none), as status and JSON body. */
  answer(cursor: string | null): { status: number; body: unknown };
  /** A fetch against this API (the URL's path is not checked). */
  readonly fetch: FetchLike;
  /** Requests seen, failed ones included. */
  readonly requests: number;
}

export function createFakeRecordsApi(now: () => number, consumer = "consumer-0"): FakeRecordsApi {
  const records = new Map<string, LedgerRecord[]>();
  const heads = new Map<string, number>();
  let outage: Outage;
  let requests = 0;

  function next(producer: string): number {
    const seq = (heads.get(producer) ?? 0) + 1;
    heads.set(producer, seq);
    return seq;
  }

  function answer(cursorParam: string | null): { status: number; body: unknown } {
    const headsObject = Object.fromEntries(heads);
    if (cursorParam === null || cursorParam === "") {
      return { status: 200, body: answerBody([], heads, headsObject) };
    }
    const cursor = new Map<string, number>();
    for (const pair of cursorParam.split(",")) {
      const [producer = "", seq = ""] = pair.split(":");
      if (!/^\d+$/.test(seq)) return { status: 400, body: { error: `cursor: bad pair ${pair}` } };
      cursor.set(producer, Number(seq));
    }
    const after: LedgerRecord[] = [];
    const position = new Map(cursor);
    for (const [producer, list] of records) {
      const from = cursor.get(producer) ?? 0;
      // Newest last: walk back to the cursor instead of scanning the whole list.
      let index = list.length;
      while (index > 0 && (list[index - 1]?.seq ?? 0) > from) index -= 1;
      after.push(...list.slice(index));
      position.set(producer, Math.max(from, list.at(-1)?.seq ?? 0));
    }
    return { status: 200, body: answerBody(after, position, headsObject) };
  }

  function answerBody(
    list: LedgerRecord[],
    position: ReadonlyMap<string, number>,
    headsObject: Record<string, number>,
  ) {
    return {
      consumer,
      ready: true,
      records: list,
      cursor: [...position].map(([producer, seq]) => `${producer}:${seq}`).join(","),
      heads: headsObject,
      truncated: false,
    };
  }

  const fetch: FetchLike = (url, init) => {
    requests += 1;
    switch (outage) {
      case "refused":
        return Promise.reject(
          new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
          }),
        );
      case "timeout":
        return new Promise((_, reject) => {
          init.signal.addEventListener("abort", () =>
            reject(new DOMException("aborted", "AbortError")),
          );
        });
      case "unavailable":
        return Promise.resolve(Response.json({ error: "no ready consumer" }, { status: 503 }));
      case undefined: {
        const { status, body } = answer(new URL(url).searchParams.get("cursor"));
        return Promise.resolve(Response.json(body, { status }));
      }
    }
  };

  return {
    produce(producer, count = 1) {
      let list = records.get(producer);
      if (list === undefined) {
        list = [];
        records.set(producer, list);
      }
      for (let i = 0; i < count; i += 1) list.push({ producer, seq: next(producer), ts: now() });
    },
    lose(producer) {
      if (!records.has(producer)) records.set(producer, []);
      return next(producer);
    },
    setOutage(value) {
      outage = value;
    },
    answer,
    fetch,
    get requests() {
      return requests;
    },
  };
}
