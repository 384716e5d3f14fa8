import { expect, it } from "vitest";
import type { SessionInfo } from "../../backend/src/contract/topology.ts";
import type { TargetView } from "../../backend/src/contract/targets.ts";
import { actionBlock } from "./targetActions.ts";

const operator: SessionInfo = {
  mode: "local",
  links: {},
  tokenRequired: false,
  operator: true,
  viewer: true,
};
const target: TargetView = {
  name: "consumer-1",
  kind: "consumer",
  status: "running",
  ready: true,
  chaos: true,
  restarts: 0,
  refusal: null,
};

it("allows an action only to an operator, on an opted-in target no guard refuses", () => {
  expect(actionBlock(target, operator)).toBeNull();
  expect(actionBlock(target, null)).toBe("waiting for control");
  expect(actionBlock(target, { ...operator, tokenRequired: true, operator: false })).toBe(
    "read-only: enter the operator token to act",
  );
  expect(actionBlock({ ...target, chaos: false }, operator)).toBe(
    "consumer-1 is not opted in to chaos",
  );
  const refusal = "would leave 0 ready consumers (MIN_ALIVE 1); force to override";
  expect(actionBlock({ ...target, refusal }, operator)).toBe(refusal);
});
