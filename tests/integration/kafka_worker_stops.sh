#!/usr/bin/env bash
# A worker always stops: SIGTERM ends a page_views worker within
# shutdown_timeout + 5 s in every state, with the exit code the README
# lists for it:
#   running                          0
#   recovering (a slow broker)       0
#   rebalancing (a second worker)    0
#   broker killed (session expired)  0
#   broker stopped with SIGSTOP      0
#   broker stopped mid-stream        3 (the last offsets cannot be committed)
#   broker unreachable from start    0 (stopped before it started)
# and a SIGKILLed or SIGSTOPped broker is reported once as a state.
#   kafka_worker_stops.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
SHUTDOWN=3
export F_SHUTDOWN_TIMEOUT=$SHUTDOWN F_BROKER_SESSION_TIMEOUT=6
# Bounds are for the release build; sanitizer builds run slower.
BOUND=$(((SHUTDOWN + 5) * ${FAUST_TIME_SCALE:-1}))
CHANGELOG=page_views-page_views-changelog

# expect_stop NAME PID RC: SIGTERM, then PID must exit with RC within BOUND.
expect_stop() {
  local name=$1 pid=$2 want=$3 rc=0 start
  start=$(date +%s%N)
  kill -TERM "$pid"
  timeout "$BOUND" tail --pid="$pid" -f /dev/null ||
    fail "$name: the worker did not stop within $BOUND s of SIGTERM"
  wait "$pid" || rc=$?
  ((rc == want)) || fail "$name: exit code $rc, expected $want"
  echo "ok: $name: stopped in $((($(date +%s%N) - start) / 1000000)) ms, exit code $rc"
}

# Kill the broker's process for good at the end, even when it is stopped.
stop_broker_process() {
  kill -CONT "$BROKER_PID" 2>/dev/null || true
  kill -9 "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  exec 7>&- 2>/dev/null || true
  rm -f "$WORK/broker.in"
}
trap 'stop_broker_process 2>/dev/null; cleanup' EXIT

# 1. Running, with views flowing.
start_broker --partitions 4
start_worker running "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d1"
wait_log "$WORK/running.log" 'recovery done' 60
page_view_lines 1 2000 20 | kcat -b "$BOOTSTRAP" -P -t page_views -K:
wait_records page_views-count_page_views-page_views-PageView.id-repartition 2000 60
expect_stop running "$WORKER_PID" 0

# 2. Rebalancing: a second worker joins; the first is stopped while the
# group is rebalancing (the embedded broker holds it open for seconds).
start_worker a "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d2a"
A=$WORKER_PID
wait_log "$WORK/a.log" 'recovery done' 60
start_worker b "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d2b"
B=$WORKER_PID
wait_log "$WORK/a.log" 'partitions revoked' 60
expect_stop rebalancing "$A" 0
wait_log "$WORK/b.log" 'recovery done' 60
expect_stop "rebalanced survivor" "$B" 0

# 3. Recovering: a long changelog on a slow broker (every answer delayed).
seq 1 60000 | awk '{printf "\"p%d\":%d\n", $1 % 3000, $1}' |
  kcat -b "$BOOTSTRAP" -P -t "$CHANGELOG" -K:
broker_command "rtt 1 400"
# (No standby: it would read the changelog before the recovery does.)
F_TABLE_STANDBY_REPLICAS=0 start_worker recovering "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d3"
wait_log "$WORK/recovering.log" 'changelog records to read' 90
grep -q 'recovery done' "$WORK/recovering.log" &&
  fail "recovery finished before the stop: the test needs a slower broker"
expect_stop recovering "$WORKER_PID" 0
broker_command "rtt 1 0"

# 4. The broker stopped with SIGSTOP while the worker runs: reported once,
# then the worker stops anyway.
start_worker paused "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d4"
wait_log "$WORK/paused.log" 'recovery done' 90
kill -STOP "$BROKER_PID"
wait_log "$WORK/paused.log" 'no broker reachable since .*processing paused' 30
expect_stop "broker stopped" "$WORKER_PID" 0
stop_broker_process

# 4b. The broker stopped while views stream in: the acked views since the
# last periodic commit cannot be committed, so the exit code says the stop
# was not clean (they are processed again after a restart).
start_broker --partitions 4
start_worker midstream "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d4b"
wait_log "$WORK/midstream.log" 'recovery done' 60
# (kcat's own pid is kept, so that it is killed at the end: it retries
# forever once the broker is gone.)
kcat -b "$BOOTSTRAP" -E -P -t page_views -K: 2>/dev/null < <(
  for i in $(seq 1 100); do
    page_view_lines $((i * 100)) $((i * 100 + 99)) 20
    sleep 0.1 # pacing the input, not synchronisation
  done) &
PIDS+=($!)
wait_records page_views-count_page_views-page_views-PageView.id-repartition 1000 60
kill -STOP "$BROKER_PID"
expect_stop "broker stopped mid-stream" "$WORKER_PID" 3
grep -q 'stopped, but not cleanly: .*the last offsets were not committed' \
  "$WORK/midstream.log" || fail "midstream: the log does not say what was not done"
stop_broker_process

# 5. The broker killed while the worker runs.
start_broker --partitions 4
start_worker orphan "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d5"
wait_log "$WORK/orphan.log" 'recovery done' 60
kill -9 "$BROKER_PID"
wait_log "$WORK/orphan.log" 'no broker reachable since .*processing paused' 30
wait_log "$WORK/orphan.log" 'partitions lost' 30
expect_stop "broker killed" "$WORKER_PID" 0
stop_broker_process

# 6. No broker at all.
start_worker nowhere "$PAGE_VIEWS" --broker kafka://127.0.0.1:1 --datadir "$WORK/d6"
wait_log "$WORK/nowhere.log" 'retrying in' 30
expect_stop "broker unreachable from start" "$WORKER_PID" 0
echo "ok: the worker stopped on SIGTERM in every state"
