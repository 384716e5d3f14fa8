import { describe, expect, it } from "vitest";
import { createFleetFeed } from "./fleetFeed.ts";
import { type ClientSummary } from "../../contract/fleet.ts";
import { clientSummary } from "../../contract/clientSummary.fixture.ts";

function summary(at: number, missing: number, failedPolls: number): ClientSummary {
  return clientSummary({ at, polls: at / 100, failedPolls, missing });
}

describe("the fleet feed", () => {
  it("adds up each source's counts inside a window", () => {
    const feed = createFleetFeed();
    feed.addSummary("fleet", summary(1000, 0, 2));
    feed.addSummary("fleet", summary(2000, 1, 5));
    feed.addSummary("fleet", summary(3000, 1, 9));
    feed.addSummary("browser-1", summary(2500, 0, 1));
    feed.addSummary("browser-1", summary(3500, 0, 4));
    // fleet: 9 − 2 (the one at 1000 is the last before the window); browser: 4 − 1 (its first).
    expect(feed.totalsBetween(1500, 4000)).toEqual({
      missing: 1,
      duplicates: 0,
      staleReads: 0,
      failedPolls: 10,
      fellBehind: 0,
    });
  });

  it("counts what clients fell behind on in a window apart from what went missing", () => {
    const feed = createFleetFeed();
    feed.addSummary("fleet", clientSummary({ at: 1000, fellBehind: 100 }));
    feed.addSummary("fleet", clientSummary({ at: 2000, fellBehind: 2600 }));
    expect(feed.totalsBetween(1500, 2500)).toMatchObject({ missing: 0, fellBehind: 2500 });
  });

  it("takes a source that restarted (counts fell) as 0, not as a negative", () => {
    const feed = createFleetFeed();
    feed.addSummary("fleet", summary(1000, 3, 7));
    feed.addSummary("fleet", summary(2000, 0, 1));
    expect(feed.totalsBetween(1500, 2500)).toMatchObject({ missing: 0, failedPolls: 0 });
  });

  it("has no totals before any summary, and drops what is out of order or too old", () => {
    const feed = createFleetFeed({ historyMs: 1500 });
    expect(feed.totalsBetween(0, 10)).toBeNull();
    feed.addSummary("fleet", summary(1000, 0, 1));
    feed.addSummary("fleet", summary(900, 0, 99));
    feed.addSummary("fleet", summary(3000, 0, 3));
    expect(feed.history(0).map((s) => s.summary.at)).toEqual([3000]);
  });
});
