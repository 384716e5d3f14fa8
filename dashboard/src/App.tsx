import { useState, useSyncExternalStore } from "react";
import { describeError } from "../../backend/src/contract/controlClient.ts";
import type { Fault } from "../../backend/src/contract/fault.ts";
import type { ControlClient } from "../../backend/src/contract/controlClient.ts";
import type { ScenarioFile } from "../../backend/src/contract/scenarioFile.ts";
import type { TargetView } from "../../backend/src/contract/targets.ts";
import type { Dashboard } from "./createDashboard.ts";
import { faultWindow } from "./faultBands.ts";
import { formatDuration } from "../../backend/src/contract/formatDuration.ts";
import { UNKNOWN } from "./format.ts";
import { AnomalyList } from "./components/AnomalyList.tsx";
import { ChartsPanel, type ChartView } from "./components/ChartsPanel.tsx";
import { ConfirmDialog } from "./components/ConfirmDialog.tsx";
import { FaultTable } from "./components/FaultTable.tsx";
import { Header } from "./components/Header.tsx";
import { ScenarioPanel } from "./components/ScenarioPanel.tsx";
import type { TargetAction } from "./components/TargetCard.tsx";
import { TopologyPanel } from "./components/TopologyPanel.tsx";

export interface AppProps {
  readonly dashboard: Dashboard;
  readonly client: ControlClient;
  readonly setToken: (token: string) => void;
  readonly now: () => number;
}

interface Pending {
  readonly title: string;
  readonly detail: string;
  readonly confirmLabel: string;
  readonly danger: boolean;
  readonly run: () => Promise<string>;
}

function describeAction(target: TargetView, action: TargetAction): string {
  if (action.action === "freeze") {
    return `SIGSTOP ${target.name} now and SIGCONT it ${action.seconds} s later (in Kubernetes: kill -STOP 1 in its pod).`;
  }
  return action.mode === "hard"
    ? `SIGKILL ${target.name} (in Kubernetes: delete its pod with grace period 0). It gets no chance to leave its group or finish requests.`
    : `SIGTERM ${target.name} (in Kubernetes: delete its pod with its grace period). It leaves its group and exits cleanly.`;
}

/** The operators' screen: topology with fault buttons, live charts, the fault table, scenarios. */
export function App({ dashboard, client, setToken, now }: AppProps) {
  const state = useSyncExternalStore(dashboard.subscribe, dashboard.getState);
  const [dryRun, setDryRun] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<{ text: string; bad: boolean } | null>(null);
  const [view, setView] = useState<ChartView>({ mode: "live", spanMs: 300_000 });
  const [selected, setSelected] = useState<string | null>(null);

  const act = (target: TargetView, action: TargetAction) => {
    const verb = action.action === "freeze" ? `Freeze ${target.name}` : `Kill ${target.name}`;
    setPending({
      title: `${verb}${action.action === "kill" ? ` (${action.mode})` : ` for ${action.seconds} s`}?`,
      detail: describeAction(target, action) + (dryRun ? " Dry run: nothing will change." : ""),
      confirmLabel: dryRun ? "Dry run" : verb,
      danger: !dryRun,
      run: async () => {
        const outcome = await client.inject({
          target: target.name,
          dryRun,
          ...(action.action === "kill"
            ? { action: "kill", mode: action.mode }
            : { action: "freeze", seconds: action.seconds }),
        });
        if (outcome.kind === "injected") {
          setSelected(outcome.fault.id);
          return `Fault ${outcome.fault.id} injected: ${outcome.fault.target} (${action.action}).`;
        }
        const { plan } = outcome;
        const moving =
          plan.leadersMoving.length === 0
            ? ""
            : `; leadership of partitions ${plan.leadersMoving.join(", ")} would move`;
        return `Dry run: would ${plan.action} ${plan.victim}${plan.mode ? ` (${plan.mode})` : ""}${moving}. Nothing changed.`;
      },
    });
  };

  const confirm = async (job: Pending) => {
    setPending(null);
    try {
      setNotice({ text: await job.run(), bad: false });
    } catch (error) {
      setNotice({ text: describeError(error), bad: true });
    }
  };

  const emergencyStop = () =>
    setPending({
      title: "Emergency stop?",
      detail: "Aborts every running scenario and thaws every frozen target now.",
      confirmLabel: "Stop",
      danger: true,
      run: async () => {
        const { thawed, aborted } = await client.stop();
        return `Emergency stop: thawed ${thawed.join(", ") || "nothing"}; aborted ${aborted.join(", ") || "no run"}.`;
      },
    });

  const startRun = (scenario: ScenarioFile) =>
    setPending({
      title: `Run ${scenario.name}?`,
      detail: `${scenario.description} (${scenario.steps} steps, from ${scenario.fileName})`,
      confirmLabel: "Run",
      danger: false,
      run: async () => {
        const { id } = await client.startRun(scenario.yaml, scenario.fileName);
        setView({ mode: "live", spanMs: 900_000 });
        return `Run ${id} started.`;
      },
    });

  const abortRun = (id: string) => {
    client.abortRun(id).then(
      () => setNotice({ text: `Run ${id} aborting.`, bad: false }),
      (error: unknown) => setNotice({ text: describeError(error), bad: true }),
    );
  };

  const selectFault = (fault: Fault) => {
    setSelected(fault.id);
    const { from, to } = faultWindow(fault, now());
    const pod = formatDuration(fault.report.podRecoveryMs, UNKNOWN);
    setView({ mode: "fixed", from, to, label: `${fault.id} (pod ${pod})` });
  };

  return (
    <div className="app">
      <Header
        session={state.session}
        connection={state.connection}
        lostSince={state.lostSince}
        dryRun={dryRun}
        onDryRun={setDryRun}
        onToken={setToken}
        onEmergencyStop={emergencyStop}
      />
      {state.loadError !== null && (
        <div className="banner" role="alert">
          Control did not answer: {state.loadError}
        </div>
      )}
      {notice !== null && (
        <div className={`notice ${notice.bad ? "bad" : ""}`} role="status">
          {notice.text}
          <button type="button" aria-label="dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      <TopologyPanel
        topology={state.topology}
        session={state.session}
        clientsByConsumer={state.fleet.clientsByConsumer()}
        onAction={act}
      />
      <ChartsPanel state={state} view={view} onView={setView} now={now} />
      <FaultTable
        faults={state.faults}
        selected={selected}
        onSelect={selectFault}
        tracesUrl={state.session?.links.traces}
      />
      <div className="two-columns">
        <ScenarioPanel
          scenarios={state.scenarios}
          run={state.run}
          session={state.session}
          reportUrl={client.reportUrl}
          onStart={startRun}
          onAbort={abortRun}
        />
        <AnomalyList anomalies={state.anomalies} />
      </div>
      {pending !== null && (
        <ConfirmDialog
          title={pending.title}
          detail={pending.detail}
          confirmLabel={pending.confirmLabel}
          danger={pending.danger}
          onConfirm={() => void confirm(pending)}
          onCancel={() => setPending(null)}
        />
      )}
    </div>
  );
}
