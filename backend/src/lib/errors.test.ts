import { describe, expect, it } from "vitest";
import {
  BlackoutError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  UnavailableError,
  httpStatusOf,
  isRetriable,
} from "./errors.ts";

describe("the error hierarchy", () => {
  it("gives each kind its code, status and whether a retry may help", () => {
    const kinds = [
      new InvalidInputError("x"),
      new NotFoundError("x"),
      new ConflictError("x"),
      new UnavailableError("x"),
    ].map((error) => [error.name, error.code, error.status, error.retriable]);
    expect(kinds).toEqual([
      ["InvalidInputError", "invalid_input", 400, false],
      ["NotFoundError", "not_found", 404, false],
      ["ConflictError", "conflict", 409, false],
      ["UnavailableError", "unavailable", 503, true],
    ]);
  });

  it("keeps the message, the cause and the name of a subclass", () => {
    class TooLateError extends ConflictError {}
    const cause = new Error("root");
    const error = new TooLateError("too late", { cause });
    expect(error).toBeInstanceOf(BlackoutError);
    expect(error).toMatchObject({ name: "TooLateError", message: "too late", cause, status: 409 });
  });

  it("reads the status off Blackout's errors and Koa's, 500 for anything else", () => {
    expect(httpStatusOf(new NotFoundError("gone"))).toBe(404);
    expect(httpStatusOf(Object.assign(new Error("big"), { statusCode: 413 }))).toBe(413);
    expect(httpStatusOf(new BlackoutError("internal", "no status"))).toBe(500);
    expect(httpStatusOf(new Error("boom"))).toBe(500);
    expect(httpStatusOf("boom")).toBe(500);
  });

  it("retries what is not known to be permanent", () => {
    expect(isRetriable(new UnavailableError("later"))).toBe(true);
    expect(isRetriable(new InvalidInputError("never"))).toBe(false);
    expect(isRetriable(new Error("a network error"))).toBe(true);
  });
});
