import { TARGET_KINDS, type TargetKind } from "./targets.ts";

/**
 * A fault's `target` as the API takes it (DESIGN §1): a name, `random:<kind>`, or for brokers
 * `leader-of:<partition>`, `most-leaders`, `controller`.
 */
export type Selector =
  | { readonly type: "name"; readonly name: string }
  | { readonly type: "random"; readonly kind: TargetKind }
  | { readonly type: "leader-of"; readonly partition: number }
  | { readonly type: "most-leaders" }
  | { readonly type: "controller" };

/** Parses a selector; a string that is none of them is an error message. */
export function parseSelector(raw: string): Selector | string {
  if (raw === "most-leaders" || raw === "controller") return { type: raw };
  const random = /^random(?::(.*))?$/.exec(raw);
  if (random !== null) {
    const kind = random[1] ?? "";
    if ((TARGET_KINDS as readonly string[]).includes(kind)) {
      return { type: "random", kind: kind as TargetKind };
    }
    return `"${raw}": random needs a kind: ${TARGET_KINDS.map((k) => `random:${k}`).join(", ")}`;
  }
  const leaderOf = /^leader-of:(.*)$/.exec(raw);
  if (leaderOf !== null) {
    const partition = leaderOf[1] ?? "";
    if (!/^\d{1,6}$/.test(partition)) return `"${raw}": leader-of needs a partition number`;
    return { type: "leader-of", partition: Number(partition) };
  }
  if (!/^[a-z0-9][a-z0-9.-]{0,62}$/.test(raw)) {
    return `"${raw}" is not a target name (lowercase letters, digits, "-" and "."), random:<kind>, leader-of:<partition>, most-leaders or controller`;
  }
  return { type: "name", name: raw };
}
