#!/usr/bin/env bash
# The adding example against a faust-broker process, driven by kcat:
#  - values produced by kcat are added and the sums read back with kcat;
#  - a malformed record is logged with topic/partition/offset, skipped, and
#    forwarded to the dead-letter topic with its origin in headers;
#  - `send @adding` from the app's command line reaches the agent;
#  - SIGTERM stops the worker cleanly; a restart resumes from the committed
#    offsets, so every input has exactly one result.
#   kafka_adding.sh FAUST_BROKER_BIN ADDING_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 ADDING=$2
source "$(dirname "$0")/kafka_lib.sh"

start_broker --partitions 4
export F_DEAD_LETTER_TOPIC=adding-dlq
start_worker w1 "$ADDING" --broker "kafka://$BOOTSTRAP" -l info
wait_log "$WORK/w1.log" 'partitions assigned' 30

# 20 keyed values and one that is not JSON, from kcat.
{
  for i in $(seq 1 10); do echo "k$i:{\"a\": $i, \"b\": $((i * 100))}"; done
  echo 'bad:this is not json'
  for i in $(seq 11 20); do echo "k$i:{\"a\": $i, \"b\": $((i * 100))}"; done
} | kcat -b "$BOOTSTRAP" -P -t adding -K:
read_topic adding-results 20 30 | sort -n >"$WORK/got1"
for i in $(seq 1 20); do echo $((i * 101)); done | sort -n >"$WORK/want1"
diff "$WORK/want1" "$WORK/got1" || fail "sums differ"
wait_log "$WORK/w1.log" 'skipping record adding\[[0-9]+\]@[0-9]+ that does not decode' 10
timeout 30 kcat -b "$BOOTSTRAP" -C -t adding-dlq -o beginning -c 1 -q \
  -f '%k %s %h\n' >"$WORK/dlq" || fail "nothing on the dead-letter topic"
grep -q '^bad this is not json .*faust.source=adding\[' "$WORK/dlq" ||
  fail "dead-letter record differs: $(cat "$WORK/dlq")"

# The app's own send command, through the agent's topic.
"$ADDING" send @adding '{"a": 1000, "b": 1}' --broker "kafka://$BOOTSTRAP" \
  >"$WORK/send.out" 2>"$WORK/send.log" || fail "send failed"
grep -q '"topic":"adding"' "$WORK/send.out" || fail "send printed no metadata"
# The printed timestamp is the record's create time (the mock broker reports
# a LogAppendTime of 1234 for every record), within a minute of now.
stamp=$(sed -n 's/.*"timestamp":\([0-9]*\).*/\1/p' "$WORK/send.out")
now_ms=$(($(date +%s) * 1000))
((stamp > now_ms - 60000 && stamp <= now_ms + 1000)) ||
  fail "send printed timestamp $stamp, not the record's create time (now $now_ms)"
part=$(sed -n 's/.*"partition":\([0-9]*\).*/\1/p' "$WORK/send.out")
offset=$(sed -n 's/.*"offset":\([0-9]*\).*/\1/p' "$WORK/send.out")
stored=$(timeout 30 kcat -b "$BOOTSTRAP" -C -t adding -p "$part" -o "$offset" \
  -c 1 -q -f '%T\n') || fail "cannot read the sent record back"
[[ $stored == "$stamp" ]] || fail "send printed timestamp $stamp, the record has $stored"

read_topic adding-results 21 30 | grep -qx 1001 || fail "no result for send"

stop_worker "$WORKER_PID" 30
grep -q 'shutting down on signal' "$WORK/w1.log" || fail "no shutdown line"

# More input while no worker runs; the restarted worker only processes it.
for i in $(seq 21 25); do echo "k$i:{\"a\": $i, \"b\": 0}"; done |
  kcat -b "$BOOTSTRAP" -P -t adding -K:
start_worker w2 "$ADDING" --broker "kafka://$BOOTSTRAP"
read_topic adding-results 26 60 >/dev/null
stop_worker "$WORKER_PID" 30
read_all adding-results | sort -n >"$WORK/all"
{ cat "$WORK/want1"; echo 1001; seq 21 25; } | sort -n >"$WORK/want_all"
diff "$WORK/want_all" "$WORK/all" || fail "after restart: results differ (lost or duplicated)"
echo "ok: adding on faust-broker with kcat (26 results, exactly once each after a graceful restart)"
