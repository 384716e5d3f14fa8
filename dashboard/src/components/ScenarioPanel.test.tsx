import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import type { ScenarioFile } from "../../../backend/src/contract/scenarioFile.ts";
import { operatorSession, runState, viewerSession } from "../testData.fixture.ts";
import { ScenarioPanel } from "./ScenarioPanel.tsx";

afterEach(cleanup);

const library: ScenarioFile[] = [
  {
    fileName: "a.yaml",
    name: "consumer-hard-kill",
    description: "kill one",
    steps: 2,
    yaml: "name: a",
  },
  {
    fileName: "b.yaml",
    name: "b.yaml",
    description: "",
    steps: 0,
    yaml: "x",
    error: "b.yaml:1: name: required",
  },
];
const reportUrl = (id: string, file: string) => `/api/runs/${id}/reports/${file}`;

it("starts the chosen scenario, and will not start a broken one", () => {
  const onStart = vi.fn();
  render(
    <ScenarioPanel
      scenarios={library}
      run={null}
      session={operatorSession}
      reportUrl={reportUrl}
      onStart={onStart}
      onAbort={() => undefined}
    />,
  );
  expect(screen.getByText("kill one")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Run" }));
  expect(onStart).toHaveBeenCalledWith(library[0]);
  fireEvent.change(screen.getByRole("combobox", { name: "scenario" }), {
    target: { value: "b.yaml" },
  });
  expect(screen.getByText("b.yaml:1: name: required")).toBeTruthy();
  expect(screen.getByRole<HTMLButtonElement>("button", { name: "Run" }).disabled).toBe(true);
});

it("shows a running run's progress, lets it be aborted, and keeps a viewer from running one", () => {
  const onAbort = vi.fn();
  const { rerender } = render(
    <ScenarioPanel
      scenarios={library}
      run={runState()}
      session={operatorSession}
      reportUrl={reportUrl}
      onStart={() => undefined}
      onAbort={onAbort}
    />,
  );
  expect(screen.getByText(/step 1 of 2/)).toBeTruthy();
  expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("0");
  expect(screen.getByRole<HTMLButtonElement>("button", { name: "Run" }).title).toBe(
    "a run is going: one at a time",
  );
  fireEvent.click(screen.getByRole("button", { name: "Abort run" }));
  expect(onAbort).toHaveBeenCalledWith("run-1");
  rerender(
    <ScenarioPanel
      scenarios={library}
      run={null}
      session={viewerSession}
      reportUrl={reportUrl}
      onStart={() => undefined}
      onAbort={onAbort}
    />,
  );
  expect(screen.getByRole<HTMLButtonElement>("button", { name: "Run" }).disabled).toBe(true);
});

it("shows the scorecard's verdicts and links its reports", () => {
  const finished = runState({ status: "failed", endedAt: 9000 });
  const run = {
    ...finished,
    scorecard: {
      ...finished.scorecard,
      slos: [
        { name: "missing" as const, bound: 0, actual: 0, unit: "records" as const, passed: true },
        {
          name: "clientRecoveryP99" as const,
          bound: 1000,
          actual: 24_900,
          unit: "ms" as const,
          passed: false,
        },
      ],
    },
  };
  render(
    <ScenarioPanel
      scenarios={library}
      run={run}
      session={operatorSession}
      reportUrl={reportUrl}
      onStart={() => undefined}
      onAbort={() => undefined}
    />,
  );
  expect(screen.getByText("failed")).toBeTruthy();
  expect(screen.getByText("24.9 s")).toBeTruthy();
  expect(screen.getByText("FAIL")).toBeTruthy();
  expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
  const links = screen.getAllByRole("link").map((a) => a.getAttribute("href"));
  expect(links).toEqual([
    "/api/runs/run-1/reports/report.json",
    "/api/runs/run-1/reports/report.md",
    "/api/runs/run-1/reports/junit.xml",
  ]);
  expect(screen.queryByRole("button", { name: "Abort run" })).toBeNull();
});
