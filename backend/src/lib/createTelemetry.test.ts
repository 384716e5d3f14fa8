import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createTelemetry, isOperationalPath, isUnsampledTraceparent } from "./createTelemetry.ts";

describe("createTelemetry", () => {
  it("is off without an OTLP endpoint, and starting it changes nothing", async () => {
    const telemetry = createTelemetry({ OTEL_SERVICE_NAME: "producer", OTEL_SDK_DISABLED: false });
    expect(telemetry.enabled).toBe(false);

    await telemetry.start();

    expect(trace.getTracer("test").startSpan("probe").isRecording()).toBe(false);
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });

  it("is on with the common or the traces-only endpoint", () => {
    const endpoint = "http://127.0.0.1:4318";
    expect(
      createTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: false }).enabled,
    ).toBe(true);
    expect(
      createTelemetry({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces`,
        OTEL_SDK_DISABLED: false,
      }).enabled,
    ).toBe(true);
  });

  it("stays off with an endpoint when OTEL_SDK_DISABLED is set", () => {
    expect(
      createTelemetry({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
        OTEL_SDK_DISABLED: true,
      }).enabled,
    ).toBe(false);
  });
});

describe("isOperationalPath", () => {
  it("knows probes and scrapes, at the root or under a prefix, and nothing else", () => {
    for (const url of ["/healthz", "/readyz", "/metrics", "/gateway/readyz", "/metrics?x=1"]) {
      expect(isOperationalPath(url), url).toBe(true);
    }
    for (const url of ["/", "/api/records?cursor=producer-0:4", "/api/metricsx", "/readyz/x"]) {
      expect(isOperationalPath(url), url).toBe(false);
    }
  });
});

describe("isUnsampledTraceparent", () => {
  const id = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7";
  it("is true only for a well-formed traceparent with the sampled flag off", () => {
    expect(isUnsampledTraceparent(`00-${id}-00`)).toBe(true);
    expect(isUnsampledTraceparent(`00-${id}-02`)).toBe(true);
    for (const value of [
      `00-${id}-01`,
      `00-${id}-03`,
      `01-${id}-00`,
      "00-xyz-00",
      undefined,
      [`00-${id}-00`],
    ]) {
      expect(isUnsampledTraceparent(value), String(value)).toBe(false);
    }
  });
});
