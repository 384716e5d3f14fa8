import { describe, expect, it } from "vitest";
import { createControlMetrics } from "./controlMetrics.ts";
import { FIXTURE_T0 as t0, consumerKillFault as consumerKill } from "./fault.fixture.ts";

describe("control metrics", () => {
  it("shows a fault as an open series from its t0 until its report completes", async () => {
    const control = createControlMetrics({ faultWindowMs: 180_000 });
    const series =
      'blackout_control_open_fault_start_timestamp_seconds{fault_id="20261206T153723Z-consumer-1-578",target="consumer-1",kind="consumer",action="kill"}';

    control.faultChanged(consumerKill());
    const open = await control.metrics.metricsText();
    expect(open).toContain(`${series} ${t0 / 1000}`);
    expect(open).toContain(
      'blackout_control_faults_total{kind="consumer",action="kill",actor="api"} 1',
    );
    expect(open).toContain("blackout_control_fault_window_seconds 180");

    control.faultChanged(
      consumerKill({ status: "complete", podRecoveryMs: 4200, lagRecoveryMs: 9100 }),
    );
    const done = await control.metrics.metricsText();
    expect(done).not.toContain(series);
    expect(done).toContain(
      'blackout_control_fault_recovery_seconds_bucket{le="5",kind="consumer",seen_by="pod"} 1',
    );
    expect(done).toContain(
      'blackout_control_fault_recovery_seconds_bucket{le="10",kind="consumer",seen_by="lag"} 1',
    );
    // Counted once, however often the fault changes.
    expect(done).toContain(
      'blackout_control_faults_total{kind="consumer",action="kill",actor="api"} 1',
    );
  });

  it("keeps the recovery times of the newest 50 completed faults, one series per fault", async () => {
    const control = createControlMetrics({ faultWindowMs: 180_000 });
    for (let i = 0; i < 51; i++) {
      control.faultChanged({
        ...consumerKill({ status: "complete", podRecoveryMs: 1000 + i }),
        id: `f-${i}`,
      });
    }
    const text = await control.metrics.metricsText();
    expect(text).not.toContain('fault_id="f-0"');
    expect(text).toContain(
      'blackout_control_recent_fault_recovery_seconds{fault_id="f-50",target="consumer-1",kind="consumer",seen_by="pod"} 1.05',
    );
    expect(text.match(/^blackout_control_recent_fault_recovery_seconds\{/gm)).toHaveLength(50);
  });
});
