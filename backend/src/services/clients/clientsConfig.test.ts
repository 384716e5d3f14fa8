import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/config.ts";
import { loadClientsConfig } from "./clientsConfig.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadClientsConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadClientsConfig", () => {
  it("applies the defaults of DESIGN §1 and §3, with control switched off", () => {
    expect(loadClientsConfig({})).toEqual({
      LOG_LEVEL: "info",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: 7300,
      TARGET_URL: "http://127.0.0.1:8080",
      CLIENTS: 20,
      POLL_MS: 500,
      STALL_MS: 1500,
      POLL_TIMEOUT_MS: 1000,
      LONG_POLL_MS: 0,
    });
    expect(loadClientsConfig({ LONG_POLL_MS: "2s" })).toMatchObject({ LONG_POLL_MS: 2000 });
  });

  it("derives STALL_MS and POLL_TIMEOUT_MS from POLL_MS unless they are set", () => {
    expect(loadClientsConfig({ POLL_MS: "2s" })).toMatchObject({
      STALL_MS: 6000,
      POLL_TIMEOUT_MS: 4000,
    });
    expect(loadClientsConfig({ POLL_MS: "100", STALL_MS: "1s" })).toMatchObject({
      STALL_MS: 1000,
      POLL_TIMEOUT_MS: 1000,
    });
    expect(
      loadClientsConfig({ CLIENTS: "1000", CONTROL_URL: "http://control:8081" }),
    ).toMatchObject({ CLIENTS: 1000, CONTROL_URL: "http://control:8081" });
  });

  it("names every wrong variable", () => {
    expect(
      configError({
        CLIENTS: "1001",
        POLL_MS: "0",
        POLL_TIMEOUT_MS: "999",
        TARGET_URL: "gateway:8080",
        CONTROL_URL: "ftp://control",
        LONG_POLL_MS: "5s",
      })
        .issues.map((issue) => issue.variable)
        .sort(),
    ).toEqual([
      "CLIENTS",
      "CONTROL_URL",
      "LONG_POLL_MS",
      "POLL_MS",
      "POLL_TIMEOUT_MS",
      "TARGET_URL",
    ]);
    expect(configError({ CLIENTS: "1001" }).message).toContain(
      "CLIENTS: expected at most 1000 clients, got 1001",
    );
  });
});
