#!/usr/bin/env bash
# Deletes a random consumer pod with grace period 0 (as SIGKILL), waits for the StatefulSet's
# replacement to be ready, and prints control's report of the fault (JSON on stdout).
#   k8s/chaos/consumer-hard-kill.sh            (see lib.sh for NAMESPACE, CONTROL_URL, TIMEOUT)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

known=$(fault_ids)
pod=$(random_pod consumer "$(open_targets)")
uid=$(pod_uid "$pod")
say "deleting $pod with grace period 0"
delete_pod "$pod" hard
wait_replaced "$pod" "$uid"
say "$pod is back and ready; waiting for control's report"
report=$(fault_report "$pod" "$known")
summarize <<<"$report"
printf '%s\n' "$report"
