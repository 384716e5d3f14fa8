import { openReport, type Fault } from "./fault.ts";

/** A hard kill of consumer-1 through the API, its report open unless `report` says otherwise. */
export function fakeFault(id: string, t0: number, report: Partial<Fault["report"]> = {}): Fault {
  return {
    id,
    t0,
    target: "consumer-1",
    kind: "consumer",
    action: "kill",
    mode: "hard",
    actor: "api",
    selector: "consumer-1",
    report: { ...openReport(), ...report },
  };
}
