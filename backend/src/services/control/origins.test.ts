import { describe, expect, it } from "vitest";
import { isOwnOrigin, isPageOrigin } from "./origins.ts";

describe("isOwnOrigin", () => {
  it("is the origin whose host is the one the browser asked", () => {
    expect(isOwnOrigin("http://127.0.0.1:8081", "127.0.0.1:8081")).toBe(true);
    expect(isOwnOrigin("http://localhost:5173", "localhost:5173")).toBe(true);
    expect(isOwnOrigin("http://localhost:8081", "127.0.0.1:8081")).toBe(false);
    expect(isOwnOrigin("http://127.0.0.1:8080", "127.0.0.1:8081")).toBe(false);
    expect(isOwnOrigin("https://evil.example", "127.0.0.1:8081")).toBe(false);
    expect(isOwnOrigin("null", "127.0.0.1:8081")).toBe(false);
  });
});

describe("isPageOrigin", () => {
  it("takes pages on this machine and the listed origins, nothing else", () => {
    for (const origin of [
      "http://127.0.0.1:8080",
      "http://localhost:8080",
      "http://[::1]:7200",
      "https://lab.example",
    ]) {
      expect(isPageOrigin(origin, ["https://lab.example"]), origin).toBe(true);
    }
    for (const origin of [
      "https://evil.example",
      "http://127.0.0.1.evil.example",
      "https://lab.example:444",
      "null",
      "file://",
      "",
    ]) {
      expect(isPageOrigin(origin, ["https://lab.example"]), origin).toBe(false);
    }
  });
});
