/**
 * Least privilege for every container the lab deploys (issue 18): a numeric non-root user, a
 * read-only root file system, no privilege escalation, no capability. Each function answers what
 * falls short, one line per container and setting, so that a failing test names both.
 */

interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
}

interface Container {
  readonly name: string;
  readonly securityContext?: SecurityContext;
}

export interface PodSpec {
  readonly securityContext?: Pick<SecurityContext, "runAsNonRoot" | "runAsUser">;
  readonly initContainers?: readonly Container[];
  readonly containers: readonly Container[];
}

interface KubeObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: unknown;
}

/** Every pod spec among rendered objects: bare pods, workloads' templates, cron jobs' jobs'. */
export function renderedPods(
  objects: readonly KubeObject[],
): { readonly where: string; readonly pod: PodSpec }[] {
  return objects.flatMap((object) => {
    const spec = object.spec as
      | {
          template?: { spec: PodSpec };
          jobTemplate?: { spec: { template: { spec: PodSpec } } };
        }
      | undefined;
    const pod =
      object.kind === "Pod"
        ? (object.spec as PodSpec)
        : (spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec);
    return pod === undefined ? [] : [{ where: `${object.kind}/${object.metadata.name}`, pod }];
  });
}

/** A Kubernetes pod's containers, init containers included, against least privilege. */
export function podPrivilegeGaps(where: string, pod: PodSpec): string[] {
  const containers = [
    ...(pod.initContainers ?? []).map((c) => ({ container: c, label: `${c.name} (init)` })),
    ...pod.containers.map((c) => ({ container: c, label: c.name })),
  ];
  return containers.flatMap(({ container, label }) => {
    const own = container.securityContext ?? {};
    // The user settings may be the pod's; the others exist per container only.
    const runAsNonRoot = own.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
    const runAsUser = own.runAsUser ?? pod.securityContext?.runAsUser;
    const gaps = [
      runAsNonRoot !== true && "runAsNonRoot is not true",
      !(Number.isInteger(runAsUser) && (runAsUser ?? 0) > 0) &&
        `runAsUser is ${String(runAsUser)}, not a numeric non-root uid`,
      own.privileged === true && "privileged is true",
      own.allowPrivilegeEscalation !== false && "allowPrivilegeEscalation is not false",
      own.readOnlyRootFilesystem !== true && "readOnlyRootFilesystem is not true",
      !(own.capabilities?.drop ?? []).includes("ALL") && "capabilities.drop lacks ALL",
      (own.capabilities?.add ?? []).length > 0 &&
        `capabilities.add is ${JSON.stringify(own.capabilities?.add)}`,
    ];
    return gaps.filter((gap) => gap !== false).map((gap) => `${where}/${label}: ${gap}`);
  });
}

export interface ComposeService {
  readonly user?: string;
  readonly read_only?: boolean;
  readonly privileged?: boolean;
  readonly cap_drop?: readonly string[];
  readonly cap_add?: readonly string[];
  readonly security_opt?: readonly string[];
}

/** A docker compose service against least privilege. */
export function composePrivilegeGaps(name: string, service: ComposeService): string[] {
  const gaps = [
    // Numeric: a name cannot be checked without the image, and "root" is a name too.
    !/^[1-9]\d*(:\d+)?$/.test(service.user ?? "") &&
      `user is ${JSON.stringify(service.user)}, not a numeric non-root uid`,
    service.read_only !== true && "read_only is not true",
    service.privileged === true && "privileged is true",
    !(service.cap_drop ?? []).includes("ALL") && "cap_drop lacks ALL",
    (service.cap_add ?? []).length > 0 && `cap_add is ${JSON.stringify(service.cap_add)}`,
    !(service.security_opt ?? []).includes("no-new-privileges:true") &&
      "security_opt lacks no-new-privileges:true",
  ];
  return gaps.filter((gap) => gap !== false).map((gap) => `${name}: ${gap}`);
}
