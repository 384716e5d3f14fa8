import { describe, expect, it } from "vitest";
import {
  composePrivilegeGaps,
  podPrivilegeGaps,
  renderedPods,
  type PodSpec,
} from "../support/privilegeGaps.ts";

const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

describe("podPrivilegeGaps", () => {
  it("accepts a pod whose user settings are the pod's and the rest each container's", () => {
    const pod: PodSpec = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      initContainers: [{ name: "fetch", securityContext: restricted }],
      containers: [{ name: "app", securityContext: restricted }],
    };
    expect(podPrivilegeGaps("StatefulSet/kafka", pod)).toEqual([]);
  });

  it("names the container, init containers too, and each setting that falls short", () => {
    const pod: PodSpec = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      initContainers: [
        { name: "fetch", securityContext: { ...restricted, readOnlyRootFilesystem: false } },
      ],
      containers: [
        { name: "root", securityContext: { ...restricted, runAsUser: 0 } },
        {
          name: "loose",
          securityContext: {
            runAsNonRoot: false,
            privileged: true,
            capabilities: { drop: ["NET_RAW"], add: ["NET_ADMIN"] },
          },
        },
      ],
    };
    expect(podPrivilegeGaps("StatefulSet/kafka", pod)).toEqual([
      "StatefulSet/kafka/fetch (init): readOnlyRootFilesystem is not true",
      "StatefulSet/kafka/root: runAsUser is 0, not a numeric non-root uid",
      "StatefulSet/kafka/loose: runAsNonRoot is not true",
      "StatefulSet/kafka/loose: privileged is true",
      "StatefulSet/kafka/loose: allowPrivilegeEscalation is not false",
      "StatefulSet/kafka/loose: readOnlyRootFilesystem is not true",
      "StatefulSet/kafka/loose: capabilities.drop lacks ALL",
      'StatefulSet/kafka/loose: capabilities.add is ["NET_ADMIN"]',
    ]);
  });

  it("finds the pods of bare pods, workloads and cron jobs", () => {
    const pod: PodSpec = { containers: [{ name: "c" }] };
    const found = renderedPods([
      { kind: "Pod", metadata: { name: "p" }, spec: pod },
      { kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec: pod } } },
      {
        kind: "CronJob",
        metadata: { name: "j" },
        spec: { jobTemplate: { spec: { template: { spec: pod } } } },
      },
      { kind: "Service", metadata: { name: "s" }, spec: { ports: [] } },
    ]);
    expect(found.map((f) => f.where)).toEqual(["Pod/p", "Deployment/d", "CronJob/j"]);
  });
});

describe("composePrivilegeGaps", () => {
  const confined = {
    user: "1000:1000",
    read_only: true,
    cap_drop: ["ALL"],
    security_opt: ["no-new-privileges:true"],
  };

  it("accepts a confined service", () => {
    expect(composePrivilegeGaps("gateway", confined)).toEqual([]);
  });

  it("names the service and each setting that falls short", () => {
    expect(composePrivilegeGaps("agent", { user: "root", cap_add: ["CHOWN"] })).toEqual([
      'agent: user is "root", not a numeric non-root uid',
      "agent: read_only is not true",
      "agent: cap_drop lacks ALL",
      'agent: cap_add is ["CHOWN"]',
      "agent: security_opt lacks no-new-privileges:true",
    ]);
    expect(composePrivilegeGaps("a", { ...confined, user: "0:0", privileged: true })).toEqual([
      'a: user is "0:0", not a numeric non-root uid',
      "a: privileged is true",
    ]);
    expect(composePrivilegeGaps("b", { ...confined, user: undefined })).toEqual([
      "b: user is undefined, not a numeric non-root uid",
    ]);
  });
});
