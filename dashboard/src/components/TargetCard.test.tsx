import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { target } from "../testData.fixture.ts";
import { TargetCard } from "./TargetCard.tsx";

afterEach(cleanup);

describe("TargetCard", () => {
  it("shows a broker's leadership and controller badge, and asks for a hard kill", () => {
    const onAction = vi.fn();
    render(
      <TargetCard
        target={target("kafka-2", { leads: [0, 3], controller: true, nodeId: 2 })}
        blocked={null}
        outOfIsr={0}
        onAction={onAction}
      />,
    );
    expect(screen.getByText("controller")).toBeTruthy();
    expect(screen.getByText("2 (0, 3)")).toBeTruthy();
    expect(screen.getByText("in sync")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Kill hard" }));
    expect(onAction).toHaveBeenCalledWith(expect.objectContaining({ name: "kafka-2" }), {
      action: "kill",
      mode: "hard",
    });
  });

  it("freezes for the seconds typed, kept within 1 to 600", () => {
    const onAction = vi.fn();
    render(
      <TargetCard
        target={target("consumer-0", { lag: 12 })}
        blocked={null}
        clientsServed={7}
        onAction={onAction}
      />,
    );
    expect(screen.getByText("12")).toBeTruthy();
    expect(screen.getByText("7")).toBeTruthy();
    const seconds = screen.getByRole("spinbutton", { name: "freeze consumer-0 for seconds" });
    fireEvent.change(seconds, { target: { value: "30" } });
    fireEvent.click(screen.getByRole("button", { name: "Freeze" }));
    fireEvent.change(seconds, { target: { value: "5000" } });
    fireEvent.click(screen.getByRole("button", { name: "Freeze" }));
    expect(onAction.mock.calls.map(([, action]: unknown[]) => action)).toEqual([
      { action: "freeze", seconds: 30 },
      { action: "freeze", seconds: 600 },
    ]);
  });

  it("disables every action with the guard's reason, and shows a stopped target as down", () => {
    const onAction = vi.fn();
    const reason = "would leave 0 ready consumers (MIN_ALIVE 1)";
    render(
      <TargetCard
        target={target("consumer-1", { status: "stopped", ready: false })}
        blocked={reason}
        onAction={onAction}
      />,
    );
    expect(screen.getByText("down")).toBeTruthy();
    expect(screen.getByText(reason)).toBeTruthy();
    for (const name of ["Kill", "Kill hard", "Freeze"]) {
      const button = screen.getByRole<HTMLButtonElement>("button", { name });
      expect(button.disabled).toBe(true);
      expect(button.title).toBe(reason);
      fireEvent.click(button);
    }
    expect(onAction).not.toHaveBeenCalled();
  });

  it("names a crash loop, with its exits in a row and the backoff of its restarts", () => {
    render(
      <TargetCard
        target={target("consumer-2", {
          status: "stopped",
          ready: false,
          restarts: 5,
          crashLoop: { exits: 5, backoffMs: 16_000 },
        })}
        blocked={null}
        onAction={() => undefined}
      />,
    );
    expect(screen.getByText("crash loop", { selector: ".pill" })).toBeTruthy();
    expect(screen.queryByText("down")).toBeNull();
    expect(screen.getByText("5 exits in a row, restarts backed off to 16.0 s")).toBeTruthy();
  });

  it("shows a producer's rate and last number", () => {
    render(
      <TargetCard
        target={target("producer-0", {
          producer: { ratePerSecond: 20, paused: false, lastAcknowledged: 41_234 },
        })}
        blocked={null}
        onAction={() => undefined}
      />,
    );
    expect(screen.getByText("20/s")).toBeTruthy();
    expect(screen.getByText("41,234")).toBeTruthy();
  });
});
