# Shared by the chaos scripts: kubectl does the chaos, control (which watches the namespace)
# reports what it saw. Sourced, not run.
#
# Environment:
#   NAMESPACE    the lab's namespace (blackout)
#   CONTROL_URL  control's API, e.g. http://localhost:8081 (kind overlay); unset, control is
#                reached through the API server's service proxy with kubectl's own credentials
#   TIMEOUT      seconds to wait for replacements and for the fault report (240)
#   KUBECTL      the kubectl to use (kubectl)

NAMESPACE=${NAMESPACE:-blackout}
TIMEOUT=${TIMEOUT:-240}
KUBECTL=${KUBECTL:-kubectl}

say() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; }
fail() { say "error: $*"; exit 1; }
kube() { "$KUBECTL" --namespace "$NAMESPACE" "$@"; }

command -v jq >/dev/null || fail "jq is needed to read control's reports (Debian: apt-get install jq)"

# A random running pod of the lab that opted in to chaos, by its component label, leaving out
# the pods named in $2 (one a line).
random_pod() {
  local pods
  pods=$(kube get pods -l "app.kubernetes.io/component=$1,blackout.dev/chaos=enabled" \
    --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' |
    grep -vxF -f <(printf '%s\n' "${2:-}") || true)
  [[ -n $pods ]] || fail "no running $1 pod with blackout.dev/chaos=enabled in $NAMESPACE${2:+ that is not under a fault already}"
  shuf -n 1 <<<"$pods"
}

pod_uid() { kube get pod "$1" -o jsonpath='{.metadata.uid}'; }

# Deletes a pod: hard (grace period 0, as SIGKILL) or graceful (its own grace period).
delete_pod() {
  local pod=$1 mode=$2
  if [[ $mode == hard ]]; then
    kube delete pod "$pod" --grace-period=0 --force --wait=false >/dev/null 2>&1
  else
    kube delete pod "$pod" --wait=false >/dev/null
  fi
}

# Waits until the pod's name is held by another incarnation (not the uid given) that is Ready.
wait_replaced() {
  local pod=$1 old_uid=$2 deadline=$((SECONDS + TIMEOUT)) state
  while ((SECONDS < deadline)); do
    state=$(kube get pod "$pod" --ignore-not-found \
      -o jsonpath='{.metadata.uid} {.status.conditions[?(@.type=="Ready")].status}')
    if [[ -n $state && $state != "$old_uid "* && $state == *" True" ]]; then return 0; fi
    sleep 0.5
  done
  fail "$pod was not replaced by a ready pod within ${TIMEOUT} s"
}

control_get() {
  if [[ -n ${CONTROL_URL:-} ]]; then
    curl -fsS --max-time 10 "${CONTROL_URL%/}$1"
  else
    "$KUBECTL" get --raw "/api/v1/namespaces/$NAMESPACE/services/http:control:http/proxy$1"
  fi
}

# The ids of the faults control knows now; asked before the chaos, so that the scripts fail early
# when control cannot be reached, and so that the fault they cause is told from earlier ones.
fault_ids() {
  control_get /api/faults | jq -c '[.faults[].id]' ||
    fail "cannot read control's faults (CONTROL_URL=${CONTROL_URL:-unset, so through the API server service proxy})"
}

# The targets of faults still open (one a line): control folds a termination of such a pod
# into that fault instead of recording a new one.
open_targets() {
  control_get /api/faults | jq -r '.faults[] | select(.report.status == "open") | .target'
}

# Prints control's report of the first fault on the pod that is not among `known` (fault_ids
# from before), once it is complete (or once TIMEOUT runs out, with what is known), as JSON.
fault_report() {
  local pod=$1 known=$2 deadline=$((SECONDS + TIMEOUT)) id="" fault=""
  while ((SECONDS < deadline)); do
    if [[ -z $id ]]; then
      id=$(control_get /api/faults 2>/dev/null | jq -r --arg pod "$pod" --argjson known "$known" \
        '[.faults[] | select(.target == $pod) | select(.id as $id | any($known[]; . == $id) | not)]
         | first | .id // empty') || id=""
      [[ -n $id ]] && say "control recorded fault $id"
    fi
    if [[ -n $id ]]; then
      fault=$(control_get "/api/faults/$id") || fault=""
      if [[ $(jq -r '.report.status' <<<"$fault") == complete ]]; then
        jq . <<<"$fault"
        return 0
      fi
    fi
    sleep 1
  done
  [[ -n $id ]] || fail "control recorded no new fault on $pod within ${TIMEOUT} s (a pod that was under a fault still open is counted in that one)"
  say "the report of $id is still open after ${TIMEOUT} s; what is known so far:"
  jq . <<<"$fault"
}

# One line per recovery time, for people.
summarize() {
  jq -r '"\(.id): pod recovery \(.report.podRecoveryMs // "-") ms, client recovery p99 \(.report.clientRecovery.p99Ms // "-") ms, lag recovery \(.report.lagRecoveryMs // "-") ms, missing \(.report.totals.missing // "-")"' >&2
}
