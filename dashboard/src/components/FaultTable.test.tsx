import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { fault } from "../testData.fixture.ts";
import { FaultTable, faultTracesUrl } from "./FaultTable.tsx";

afterEach(cleanup);

it("lists faults newest first with their recovery times and totals, and selects one on click", () => {
  const onSelect = vi.fn();
  const done = fault("f-old", 1000, {
    status: "complete",
    podRecoveryMs: 31_800,
    clientRecovery: {
      clients: 20,
      pending: 0,
      neverNoticed: 12,
      p50Ms: 0,
      p99Ms: 950,
      maxMs: 1200,
    },
    lagRecoveryMs: 31_600,
    totals: { missing: 0, duplicates: 0, staleReads: 374, failedPolls: 1, fellBehind: 0 },
  });
  const open = fault("f-new", 5000, {
    podRecoveryMs: 2000,
    clientRecovery: {
      clients: 20,
      pending: 3,
      neverNoticed: 2,
      p50Ms: 100,
      p99Ms: 900,
      maxMs: 900,
    },
  });
  const because = "the dead member holds its partitions for its session (SESSION_TIMEOUT_MS 30 s)";
  render(
    <FaultTable
      faults={[{ ...done, floor: { ms: 30_000, because } }, open]}
      selected="f-old"
      onSelect={onSelect}
    />,
  );
  const rows = screen.getAllByRole("row").slice(1);
  expect(rows.map((row) => row.dataset.faultId)).toEqual(["f-new", "f-old"]);
  const old = within(rows[1] as HTMLElement);
  expect(old.getByText("31.8 s")).toBeTruthy();
  expect(old.getByText("0 ms / 950 ms / 1.2 s")).toBeTruthy();
  expect(old.getByText("31.6 s")).toBeTruthy();
  // The floor Kafka sets, with the setting behind it on hover; unknown for the other fault.
  expect(old.getByText("30.0 s").title).toBe(because);
  expect(within(rows[0] as HTMLElement).getAllByText("—").length).toBeGreaterThan(0);
  expect(old.getByText("374")).toBeTruthy();
  expect(old.getByText("complete")).toBeTruthy();
  expect(rows[1]?.className).toBe("selected");
  const recovering = within(rows[0] as HTMLElement);
  expect(recovering.getByText("recovering")).toBeTruthy();
  expect(recovering.getByText("(3 pending)")).toBeTruthy();
  fireEvent.click(rows[0] as HTMLElement);
  expect(onSelect).toHaveBeenCalledWith(open);
});

it("says so when there is no fault yet", () => {
  render(<FaultTable faults={[]} selected={null} onSelect={() => undefined} />);
  expect(screen.getByText(/No fault yet/)).toBeTruthy();
});

it("links each fault to its traces when control knows a trace backend, without selecting the row", () => {
  const onSelect = vi.fn();
  const faults = [fault("20261206T153723Z-consumer-1-578", 1000, {})];
  render(
    <FaultTable
      faults={faults}
      selected={null}
      onSelect={onSelect}
      tracesUrl="http://127.0.0.1:16686/"
    />,
  );
  const link = screen.getByRole("link", { name: "traces" });
  expect(link.getAttribute("href")).toBe(
    "http://127.0.0.1:16686/api/traces?service=control&tags=%7B%22blackout.fault.id%22%3A%2220261206T153723Z-consumer-1-578%22%7D",
  );
  // The test document must not follow the link (it would open a new window and fetch).
  link.addEventListener("click", (event) => event.preventDefault());
  fireEvent.click(link);
  expect(onSelect).not.toHaveBeenCalled();
});

it("has no trace link without a trace backend", () => {
  render(<FaultTable faults={[fault("f", 1000, {})]} selected={null} onSelect={() => undefined} />);
  expect(screen.queryByRole("link")).toBeNull();
  expect(faultTracesUrl("http://jaeger:16686", "f")).toMatch(
    /^http:\/\/jaeger:16686\/api\/traces\?/,
  );
});
