import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/config.ts";
import { isLoopback, loadControlConfig } from "./controlConfig.ts";

describe("control's configuration", () => {
  it("listens on loopback without a token by default (DESIGN §3 port 8081)", () => {
    const config = loadControlConfig({});
    expect([config.HTTP_HOST, config.HTTP_PORT, config.CONTROL_TOKEN]).toEqual([
      "127.0.0.1",
      8081,
      undefined,
    ]);
  });

  it("refuses to be bound publicly without an operator token, naming CONTROL_TOKEN", () => {
    expect(() => loadControlConfig({ HTTP_HOST: "0.0.0.0" })).toThrow(ConfigError);
    expect(() => loadControlConfig({ HTTP_HOST: "0.0.0.0" })).toThrow(
      /CONTROL_TOKEN: required when HTTP_HOST \(0\.0\.0\.0\) is not loopback/,
    );
    expect(
      loadControlConfig({ HTTP_HOST: "0.0.0.0", CONTROL_TOKEN: "a-long-enough-token" })
        .CONTROL_TOKEN,
    ).toBe("a-long-enough-token");
    expect(() => loadControlConfig({ CONTROL_TOKEN: "short" })).toThrow(
      /CONTROL_TOKEN: expected at least 16 characters/,
    );
  });

  it("keeps reads beyond loopback closed unless CONTROL_OPEN_READS opens them", () => {
    expect(loadControlConfig({}).CONTROL_OPEN_READS).toBe(false);
    expect(loadControlConfig({ CONTROL_OPEN_READS: "true" }).CONTROL_OPEN_READS).toBe(true);
  });

  it("limits faults to a burst of 5, then one a second, and reads the pages' origins", () => {
    const config = loadControlConfig({});
    expect([config.FAULT_RATE_BURST, config.FAULT_RATE_INTERVAL_MS, config.PAGE_ORIGINS]).toEqual([
      5,
      1000,
      [],
    ]);
    expect(
      loadControlConfig({ PAGE_ORIGINS: "https://lab.example, http://10.0.0.5:8080" }).PAGE_ORIGINS,
    ).toEqual(["https://lab.example", "http://10.0.0.5:8080"]);
    expect(() => loadControlConfig({ PAGE_ORIGINS: "https://lab.example/page" })).toThrow(
      /PAGE_ORIGINS\[0\]: expected an origin/,
    );
    expect(() => loadControlConfig({ FAULT_RATE_BURST: "0" })).toThrow(/FAULT_RATE_BURST/);
  });

  it("reads the producers' URLs by name, for rate steps", () => {
    expect(
      loadControlConfig({
        PRODUCER_URLS: "producer-0=http://127.0.0.1:7100/, producer-1=http://127.0.0.1:7101",
      }).PRODUCER_URLS,
    ).toEqual({ "producer-0": "http://127.0.0.1:7100", "producer-1": "http://127.0.0.1:7101" });
    expect(() => loadControlConfig({ PRODUCER_URLS: "http://127.0.0.1:7100" })).toThrow(
      /PRODUCER_URLS\[0\]: expected name=URL/,
    );
  });

  it("chooses the orchestrator and its namespace, never kube-system", () => {
    expect([loadControlConfig({}).ORCHESTRATOR, loadControlConfig({}).KUBE_NAMESPACE]).toEqual([
      "local",
      "blackout",
    ]);
    const kube = loadControlConfig({ ORCHESTRATOR: "kubernetes", KUBE_NAMESPACE: "lab-2" });
    expect([kube.ORCHESTRATOR, kube.KUBE_NAMESPACE]).toEqual(["kubernetes", "lab-2"]);
    expect(() => loadControlConfig({ ORCHESTRATOR: "docker" })).toThrow(/ORCHESTRATOR: /);
    expect(() => loadControlConfig({ KUBE_NAMESPACE: "kube-system" })).toThrow(
      /KUBE_NAMESPACE: kube-system is never a chaos target/,
    );
    expect(() => loadControlConfig({ KUBE_NAMESPACE: "Not_A_Name" })).toThrow(
      /KUBE_NAMESPACE: expected a namespace name/,
    );
  });

  it("knows loopback addresses", () => {
    expect(["127.0.0.1", "127.8.9.10", "localhost", "::1"].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["0.0.0.0", "10.0.0.5", "::", "control"].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
