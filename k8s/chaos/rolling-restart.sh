#!/usr/bin/env bash
# A rolling restart of one StatefulSet (consumer, the default; producer; kafka): Kubernetes
# replaces its pods one at a time, each deletion a fault that control records. Prints control's
# report of each of them (a JSON array on stdout).
#   k8s/chaos/rolling-restart.sh kafka          (see lib.sh for NAMESPACE, CONTROL_URL, TIMEOUT)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
set_name=${1:-consumer}

pods=$(kube get pods -l "app.kubernetes.io/name=$set_name" \
  -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
[[ -n $pods ]] || fail "statefulset $set_name has no pods in $NAMESPACE"
known=$(fault_ids)
say "rolling restart of statefulset/$set_name"
kube rollout restart "statefulset/$set_name" >/dev/null
kube rollout status "statefulset/$set_name" --timeout="${TIMEOUT}s" >&2
reports=()
for pod in $pods; do
  report=$(fault_report "$pod" "$known")
  summarize <<<"$report"
  reports+=("$report")
done
jq -s . <<<"${reports[*]}"
