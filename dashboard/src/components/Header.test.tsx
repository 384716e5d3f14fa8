import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { operatorSession, viewerSession } from "../testData.fixture.ts";
import { Header } from "./Header.tsx";

afterEach(cleanup);

const handlers = () => ({ onDryRun: vi.fn(), onToken: vi.fn(), onEmergencyStop: vi.fn() });

it("shows a lost connection and that it is being re-established", () => {
  render(
    <Header
      session={operatorSession}
      connection="lost"
      lostSince={Date.UTC(2026, 0, 1, 12, 0, 5)}
      dryRun={false}
      {...handlers()}
    />,
  );
  expect(screen.getByText("reconnecting…")).toBeTruthy();
  expect(screen.getByRole("alert").textContent).toMatch(
    /Connection to control lost at .*reconnecting by itself/,
  );
});

it("is read-only without the token: the emergency stop is disabled and a token can be given", () => {
  const h = handlers();
  render(
    <Header session={viewerSession} connection="live" lostSince={null} dryRun={false} {...h} />,
  );
  expect(screen.getByText("read-only")).toBeTruthy();
  expect(screen.getByRole<HTMLButtonElement>("button", { name: "Emergency stop" }).disabled).toBe(
    true,
  );
  fireEvent.change(screen.getByLabelText("operator token"), {
    target: { value: "s3cret-token-0123456" },
  });
  fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
  expect(h.onToken).toHaveBeenCalledWith("s3cret-token-0123456");
  expect(screen.queryByRole("alert")).toBeNull();
});

it("gives an operator the emergency stop, the dry-run switch and the configured links", () => {
  const h = handlers();
  const session = {
    ...operatorSession,
    links: { grafana: "http://127.0.0.1:3000", traces: "http://127.0.0.1:16686" },
  };
  render(<Header session={session} connection="live" lostSince={null} dryRun={false} {...h} />);
  fireEvent.click(screen.getByRole("button", { name: "Emergency stop" }));
  expect(h.onEmergencyStop).toHaveBeenCalled();
  fireEvent.click(screen.getByRole("checkbox", { name: /dry run/ }));
  expect(h.onDryRun).toHaveBeenCalledWith(true);
  expect(screen.getByRole("link", { name: "Grafana" }).getAttribute("href")).toBe(
    "http://127.0.0.1:3000",
  );
  expect(screen.getByRole("link", { name: "Traces" }).getAttribute("href")).toBe(
    "http://127.0.0.1:16686",
  );
});
