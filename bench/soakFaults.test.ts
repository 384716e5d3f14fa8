import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fakeTarget } from "../backend/src/contract/targets.fixture.ts";
import type { TargetKind, TargetView } from "../backend/src/contract/targets.ts";
import { seededRandom } from "../backend/src/lib/seededRandom.ts";
import { pickFault, SOAK_FAULTS, sparedTargets } from "./soakFaults.ts";

const view = (name: string, kind: TargetKind, refusal: string | null = null): TargetView => ({
  ...fakeTarget(name, kind),
  refusal,
});

const lab: TargetView[] = [
  view("kafka-1", "broker"),
  view("kafka-2", "broker"),
  view("kafka-3", "broker"),
  view("producer-0", "producer"),
  view("producer-1", "producer"),
  view("consumer-0", "consumer"),
  view("consumer-1", "consumer"),
  view("consumer-2", "consumer"),
];
const freeze = { min: 5, max: 20 };

/** A generator that answers the given draws, in order. */
const draws =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe("pickFault", () => {
  it("draws the same faults from the same seed", () => {
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => pickFault(random, lab, freeze));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("draws every kind of fault, killed hard and gracefully, and frozen", () => {
    const random = seededRandom(1);
    const labels = Array.from({ length: 300 }, () => pickFault(random, lab, freeze)?.label ?? "");
    for (const kind of ["consumer", "producer", "kafka"]) {
      for (const what of ["hard kill of", "graceful kill of", "freeze"]) {
        expect(labels.some((l) => l.startsWith(`${what} ${kind}`))).toBe(true);
      }
    }
  });

  it("picks only victims the guards allow while there is one", () => {
    const guarded = lab.map((t) =>
      t.name === "consumer-1" ? t : { ...t, refusal: t.kind === "consumer" ? "MIN_ALIVE" : null },
    );
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const picked = pickFault(seededRandom(seed), guarded, freeze);
        const victim = guarded.find((t) => t.name === picked?.request.target);
        expect(victim?.refusal).toBeNull();
      }),
    );
  });

  it("asks for a refused one when the guards allow none of the kind drawn, so control says why", () => {
    const allRefused = lab.map((t) => ({ ...t, refusal: "MIN_ALIVE" }));
    // The first of SOAK_FAULTS is a hard consumer kill.
    expect(SOAK_FAULTS[0]).toEqual({ kind: "consumer", action: "kill", mode: "hard" });
    expect(pickFault(draws(0, 0.5, 0), allRefused, freeze)?.request).toEqual({
      action: "kill",
      target: "consumer-1",
      mode: "hard",
    });
  });

  it("freezes for whole seconds within the range, both ends included", () => {
    const freezeConsumer = SOAK_FAULTS.findIndex(
      (f) => f.kind === "consumer" && f.action === "freeze",
    );
    const at = (freezeConsumer + 0.5) / SOAK_FAULTS.length;
    expect(pickFault(draws(at, 0, 0), lab, freeze)?.request).toEqual({
      action: "freeze",
      target: "consumer-0",
      seconds: 5,
    });
    expect(pickFault(draws(at, 0, 0.9999), lab, freeze)?.request.seconds).toBe(20);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const seconds = pickFault(draws(at, 0, r), lab, freeze)?.request.seconds ?? 0;
        expect(Number.isInteger(seconds) && seconds >= 5 && seconds <= 20).toBe(true);
      }),
    );
  });

  it("picks nothing when the lab has no target of the kind drawn", () => {
    expect(pickFault(draws(0, 0, 0), [view("kafka-1", "broker")], freeze)).toBeUndefined();
  });
});

describe("sparedTargets", () => {
  it("spares the last of each kind that has more than one, by number rather than by letter", () => {
    expect(sparedTargets(lab)).toEqual(["consumer-2", "kafka-3", "producer-1"]);
    const many = Array.from({ length: 11 }, (_, i) => view(`consumer-${i}`, "consumer"));
    expect(sparedTargets([...many, view("producer-0", "producer")])).toEqual(["consumer-10"]);
  });
});
