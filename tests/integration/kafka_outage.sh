#!/usr/bin/env bash
# Broker faults, with the embedded broker's control lines:
#  - a broker that is down when the worker starts: the worker logs that it
#    cannot reach it, retries, and starts once the broker is back;
#  - the broker going away mid-stream: clear log lines, then the worker
#    resumes and every input gets its result;
#  - a worker whose broker never comes stops promptly on SIGTERM.
#   kafka_outage.sh FAUST_BROKER_BIN ADDING_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 ADDING=$2
source "$(dirname "$0")/kafka_lib.sh"
export F_BROKER_SESSION_TIMEOUT=6

# 1. Nothing listens: retries, then SIGTERM ends it with exit code 0.
start_worker nowhere "$ADDING" --broker kafka://127.0.0.1:1
wait_log "$WORK/nowhere.log" 'retrying in' 30
stop_worker "$WORKER_PID" 20

# 2. Down at start, up later.
start_broker --partitions 4
broker_command "down 1"
start_worker w1 "$ADDING" --broker "kafka://$BOOTSTRAP"
wait_log "$WORK/w1.log" 'cannot list topics.*retrying' 30
broker_command "up 1"
wait_log "$WORK/w1.log" 'partitions assigned' 60

# 3. Down mid-stream, with records in flight both ways, then up: the loss
# is reported once as a state, and nothing is lost.
seq 1 1000 | sed 's/.*/k&:{"a": &, "b": 0}/' | kcat -b "$BOOTSTRAP" -P -t adding -K:
read_topic adding-results 1000 "$(scaled 60)" >/dev/null
# 2000 more arrive while the worker is held (SIGSTOP, well inside its 6 s
# session), and the broker will answer the next Produce request, the
# worker's first results, 10 s late (it stores them at once; the answers
# after it on that connection wait too). So once the test sees a new
# result, the worker has outputs awaiting delivery when the broker goes.
kill -STOP "$WORKER_PID"
seq 1001 3000 | sed 's/.*/k&:{"a": &, "b": 0}/' | kcat -b "$BOOTSTRAP" -P -t adding -K:
broker_command "delay 1 0 1 $(scaled 10000)"
kill -CONT "$WORKER_PID"
wait_records adding-results 1001 "$(scaled 10)"
broker_command "down 1"
# 1000 more during the outage (kcat's producer holds them until it is over).
(seq 3001 4000 | sed 's/.*/k&:{"a": &, "b": 0}/' |
  kcat -b "$BOOTSTRAP" -E -P -t adding -K:) &
FEEDER=$!
PIDS+=($FEEDER)
wait_log "$WORK/w1.log" '\[error\] no broker reachable since .*: processing paused' "$(scaled 30)"
grep -c 'no broker reachable since' "$WORK/w1.log" | grep -qx 1 ||
  fail "the outage was reported more than once"
# The line says what waits for the broker: it must be the outputs the test
# arranged to be on their way.
line=$(grep 'no broker reachable since' "$WORK/w1.log")
awaiting=$(sed -n 's/.*(\([0-9]*\) records produced await delivery.*/\1/p' <<<"$line")
[[ -n $awaiting ]] || fail "the outage line lacks its figures: $line"
((awaiting > 0)) || fail "no output was in flight when the broker went away: $line"
echo "in flight at the outage: $awaiting outputs"
broker_command "up 1"
wait_log "$WORK/w1.log" '\[info\] a broker answers again after .*: processing resumed' "$(scaled 60)"
wait_feeder "$FEEDER"
deadline=$((SECONDS + $(scaled 90)))
while :; do
  distinct=$(read_all adding-results | sort -u | wc -l)
  ((distinct >= 4000)) && break
  ((SECONDS < deadline)) || fail "only $distinct of 4000 results after the broker came back"
  sleep 1 # polling the output topic; the worker reports no completion event
done
read_all adding-results | sort -un >"$WORK/got"
seq 1 4000 | diff - "$WORK/got" >/dev/null || fail "results differ from 1..4000"
kill -0 "$WORKER_PID" || fail "the worker died during the outage"
stop_worker "$WORKER_PID" 30
echo "ok: worker rode out an unreachable broker at start and a broker outage mid-stream (reported once, nothing lost)"
