import { TARGET_KINDS } from "../../contract/targets.ts";
import type { SupervisedComponent } from "./supervisedComponent.ts";

const KIND_ORDER: readonly SupervisedComponent["spec"]["kind"][] = [...TARGET_KINDS, "service"];

/** By kind (brokers, producers, consumers, services) then name; sorts `components` in place. */
export function sortComponents<C extends Pick<SupervisedComponent, "spec">>(components: C[]): C[] {
  return components.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.spec.kind) - KIND_ORDER.indexOf(b.spec.kind) ||
      compareNames(a.spec.name, b.spec.name),
  );
}

/** consumer-2 before consumer-10. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
