import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/config.ts";
import { loadGatewayConfig } from "./gatewayConfig.ts";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadGatewayConfig", () => {
  it("applies the defaults of DESIGN §3", () => {
    expect(loadGatewayConfig({})).toEqual({
      LOG_LEVEL: "info",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: 8080,
      CONSUMER_URLS: ["http://127.0.0.1:7200", "http://127.0.0.1:7201", "http://127.0.0.1:7202"],
      READINESS_POLL_MS: 500,
      PROXY_TIMEOUT_MS: 5000,
      RETRY_ON_OTHER_BACKEND: false,
    });
  });

  it("reads every setting, dropping a trailing slash from consumer URLs", () => {
    expect(
      loadGatewayConfig({
        HTTP_HOST: "0.0.0.0",
        HTTP_PORT: "18080",
        CONSUMER_URLS: "http://consumer-0:7200/, http://consumer-1:7200",
        READINESS_POLL_MS: "1s",
        PROXY_TIMEOUT_MS: "250ms",
        RETRY_ON_OTHER_BACKEND: "true",
      }),
    ).toMatchObject({
      HTTP_HOST: "0.0.0.0",
      HTTP_PORT: 18080,
      CONSUMER_URLS: ["http://consumer-0:7200", "http://consumer-1:7200"],
      READINESS_POLL_MS: 1000,
      PROXY_TIMEOUT_MS: 250,
      RETRY_ON_OTHER_BACKEND: true,
    });
  });

  it.each([
    ["HTTP_PORT", "http", 'expected a port number (1-65535), got "http"', "HTTP_PORT"],
    ["CONSUMER_URLS", "127.0.0.1:7200", "expected an http(s) URL", "CONSUMER_URLS[0]"],
    ["CONSUMER_URLS", ",", "expected at least one consumer URL", "CONSUMER_URLS"],
    [
      "CONSUMER_URLS",
      "http://a:7200,http://a:7200/",
      "expected each consumer URL once",
      "CONSUMER_URLS",
    ],
    ["READINESS_POLL_MS", "0", "expected a duration greater than 0, got 0", "READINESS_POLL_MS"],
    ["PROXY_TIMEOUT_MS", "soon", "expected a duration such as", "PROXY_TIMEOUT_MS"],
    [
      "RETRY_ON_OTHER_BACKEND",
      "yes",
      '"true", "false", "1" or "0", got "yes"',
      "RETRY_ON_OTHER_BACKEND",
    ],
  ])("names %s when it is %j", (variable, raw, message, named) => {
    const error = configError({ [variable]: raw });
    expect(error.issues.map((i) => i.variable)).toEqual([named]);
    expect(error.message).toContain(message);
  });
});
