#!/usr/bin/env bash
# Leader election, Faust's way: three leader_timer workers; the worker the
# group gives leader_timer's `<app_id>-__assignor-__leader` partition is the
# one leader (the cluster view names it) and only its on_leader timer runs.
# The leader is SIGKILLed: once the group has rebalanced another worker
# leads, and again only its timer runs.
#   kafka_leader.sh FAUST_BROKER_BIN LEADER_TIMER_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 LEADER_TIMER=$2
source "$(dirname "$0")/kafka_lib.sh"
export F_BROKER_SESSION_TIMEOUT=6

# leader_of MEMBERS: the leader the view names once it has exactly MEMBERS
# members (comma-separated, sorted), waiting for that.
leader_of() {
  local limit got=""
  limit=$(bound "$(scaled 60)")
  local end=$((SECONDS + limit))
  while ((SECONDS < end)); do
    got=$("$LEADER_TIMER" cluster --broker "kafka://$BOOTSTRAP" --json \
      2>>"$WORK/cli.log" | python3 -c '
import json, sys
v = json.load(sys.stdin)
ids = ",".join(sorted(w["worker"] for w in v["workers"]))
print("%s %s" % (ids, v["leader"]))') || got="(no view)"
    if [[ $got == "$1 "* && $got != *" None" ]]; then
      echo "${got#* }"
      return 0
    fi
    sleep 0.5
  done
  fail "cluster view '$got', expected members $1 with a leader"
}

# runs NAME: how many times NAME's on_leader timer has run.
runs() {
  grep -c 'PUBLISHING ON LEADER!' "$WORK/$1.out" || true
}

# only_leader_runs LEADER OTHERS...: LEADER's timer runs twice more (2 s
# interval) while the others' timers do not run.
only_leader_runs() {
  local leader=$1
  shift
  local -A before
  for w in "$leader" "$@"; do before[$w]=$(runs "$w"); done
  local want=$((before[$leader] + 2))
  timeout "$(bound "$(scaled 20)")" bash -c \
    "until (( \$(grep -c 'PUBLISHING ON LEADER!' '$WORK/$leader.out' || true) >= $want )); do sleep 0.2; done" ||
    fail "the leader $leader's timer did not run twice"
  for w in "$@"; do
    [[ $(runs "$w") == "${before[$w]}" ]] ||
      fail "$w's on_leader timer ran while $leader led"
  done
}

start_broker --partitions 4
declare -A PID
for w in a b c; do
  start_worker "$w" "$LEADER_TIMER" --broker "kafka://$BOOTSTRAP" --worker-id "$w"
  PID[$w]=$WORKER_PID
done
leader=$(leader_of a,b,c)
others=()
for w in a b c; do [[ $w == "$leader" ]] || others+=("$w"); done
only_leader_runs "$leader" "${others[@]}"

kill -9 "${PID[$leader]}"
survivors=$(printf '%s\n' "${others[@]}" | sort | paste -sd,)
next=$(leader_of "$survivors")
[[ $next != "$leader" ]] || fail "the killed worker still leads"
rest=()
for w in "${others[@]}"; do [[ $w == "$next" ]] || rest+=("$w"); done
only_leader_runs "$next" "${rest[@]}"
# The leader stops cleanly (the last survivor is killed at the end: its
# own stop would overlap the rebalance the leader's departure starts).
stop_worker "${PID[$next]}" "$(scaled 40)"
echo "PASS"
