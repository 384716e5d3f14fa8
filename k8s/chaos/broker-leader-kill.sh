#!/usr/bin/env bash
# Kills the broker that leads partition 0 of the lab's topic (MODE=hard, the default, or
# graceful), waits for its replacement to be ready, and prints control's report of the fault.
# The leader is asked of Kafka itself, through kubectl exec into a broker.
#   MODE=graceful k8s/chaos/broker-leader-kill.sh    (see lib.sh for the other settings)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MODE=${MODE:-hard}
TOPIC=${TOPIC:-blackout.numbers}
[[ $MODE == hard || $MODE == graceful ]] || fail "MODE must be hard or graceful, not $MODE"

asker=$(random_pod broker)
leader=$(kube exec "$asker" -- /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 \
  --describe --topic "$TOPIC" | sed -nE 's/.*Partition: 0[[:space:]]+Leader: ([0-9]+).*/\1/p')
[[ -n $leader ]] || fail "Kafka named no leader of $TOPIC partition 0"
# node.id is the StatefulSet ordinal (k8s/base/kafka.yaml).
pod=kafka-$leader
uid=$(pod_uid "$pod")
known=$(fault_ids)
say "node $leader leads partition 0: deleting $pod ($MODE)"
delete_pod "$pod" "$MODE"
wait_replaced "$pod" "$uid"
say "$pod is back and ready; waiting for control's report"
report=$(fault_report "$pod" "$known")
summarize <<<"$report"
printf '%s\n' "$report"
