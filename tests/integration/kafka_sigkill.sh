#!/usr/bin/env bash
# At-least-once on the embedded broker: a worker killed with SIGKILL in the
# middle of a stream loses nothing. After a restart every input has a
# result (some may appear twice: those processed after the last commit).
#   kafka_sigkill.sh FAUST_BROKER_BIN ADDING_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 ADDING=$2
source "$(dirname "$0")/kafka_lib.sh"
N=60000

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
start_worker w1 "$ADDING" --broker "kafka://$BOOTSTRAP"
wait_log "$WORK/w1.log" 'partitions assigned' 30
# The input keeps arriving (in 60 chunks) while the worker is killed.
(for c in $(seq 0 59); do
  seq $((c * 1000 + 1)) $((c * 1000 + 1000)) |
    sed 's/.*/k&:{"a": &, "b": 0}/' | kcat -b "$BOOTSTRAP" -P -t adding -K:
done) &
feeder=$!
PIDS+=($feeder)

# Kill once part of the stream is done.
read_topic adding-results 5000 60 >/dev/null
kill -9 "$WORKER_PID"
wait "$WORKER_PID" 2>/dev/null || true
before=$(read_all adding-results | wc -l)
echo "killed after $before results"
((before < N)) || fail "the worker finished before it was killed; raise N"

wait "$feeder" || fail "kcat could not produce the input"
start_worker w2 "$ADDING" --broker "kafka://$BOOTSTRAP"
# Wait until every input has a result (bounded).
deadline=$((SECONDS + 90))
while :; do
  distinct=$(read_all adding-results | sort -u | wc -l)
  ((distinct >= N)) && break
  ((SECONDS < deadline)) || fail "only $distinct of $N inputs have a result after the restart"
  sleep 1 # polling the output topic; the worker reports no completion event
done
read_all adding-results | sort -n -u >"$WORK/got"
seq 1 $N >"$WORK/want"
diff -q "$WORK/want" "$WORK/got" >/dev/null || fail "results are not exactly 1..$N"
total=$(read_all adding-results | wc -l)
stop_worker "$WORKER_PID" 30
echo "ok: nothing lost after SIGKILL ($N inputs, $total results, $((total - N)) reprocessed)"
