#!/usr/bin/env bash
# Direct calls over the cluster: three `counter` workers on a faust-broker
# process, asked by client processes.
#  - `ask --via caf` and `ask --via kafka` reach the same agent state and
#    give the same answers (each ask counts once: totals 1, 2, 3, 4 across
#    the two paths);
#  - a client asks continuously (directly, falling back to Kafka only when
#    a call certainly did not run) while one worker is SIGKILLed and another
#    SIGSTOPped for 10 s and resumed: every ask answers or fails within its
#    timeout (none hangs), the last asks all succeed, and the tables are
#    exact: each request id applied at most once (none ran twice), every
#    successful ask applied, each account's total equal to its applied ids.
#   kafka_direct_asks.sh FAUST_BROKER_BIN COUNTER_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 COUNTER=$2
source "$(dirname "$0")/kafka_lib.sh"
export F_BROKER_SESSION_TIMEOUT=6
TIMEOUT_MS=4000

start_broker --partitions 4
declare -A PID
for w in w1 w2 w3; do
  start_worker "$w" "$COUNTER" --broker "kafka://$BOOTSTRAP" --worker-id "$w" \
    --datadir "$WORK/$w-data" -l info
  PID[$w]=$WORKER_PID
done

# ready N: the cluster view has N members owning all 4 request partitions.
ready() {
  "$COUNTER" cluster --broker "kafka://$BOOTSTRAP" --json 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)
own = [p["partition"] for w in v["workers"] for p in w["active"]
       if p["topic"] == "counter-requests" and p["state"] == "ready"]
sys.exit(0 if len(v["workers"]) == int(sys.argv[1]) and sorted(own) == [0, 1, 2, 3] else 1)' "$1"
}
# wait_ready N SECONDS
wait_ready() {
  local end=$((SECONDS + $(bound "$2")))
  until ready "$1"; do
    ((SECONDS < end)) || fail "$1 workers did not own all partitions within $2 s"
    sleep 0.5 # polling the cluster topic: it reports no completion event
  done
}
wait_ready 3 $(scaled 60)

# Both paths, the same state and answers.
n=0
for via in caf kafka caf kafka; do
  n=$((n + 1))
  got=$("$COUNTER" ask @count "{\"account\": \"probe\", \"id\": $n}" --key probe \
    --via "$via" --timeout 10 --broker "kafka://$BOOTSTRAP" 2>>"$WORK/ask.log") ||
    fail "ask --via $via failed: $(tail -n 3 "$WORK/ask.log")"
  [[ $got == "$n" ]] || fail "ask $n --via $via answered '$got', expected $n"
done

# Continuous asks through a kill and a stop.
"$COUNTER" client --broker "kafka://$BOOTSTRAP" --first-id 1000 --accounts 8 \
  --timeout-ms $TIMEOUT_MS --until-file "$WORK/stop-client" \
  >"$WORK/client.out" 2>"$WORK/client.log" &
CLIENT=$!
PIDS+=($CLIENT)
wait_records_in() { # FILE COUNT SECONDS: waits until FILE has COUNT lines
  local end=$((SECONDS + $(bound "$3")))
  until (($(wc -l <"$1") >= $2)); do
    ((SECONDS < end)) || fail "only $(wc -l <"$1") lines in $1 within $3 s"
    kill -0 "$CLIENT" 2>/dev/null || fail "the client ended early"
    sleep 0.2 # polling the client's output
  done
}
wait_records_in "$WORK/client.out" 50 $(scaled 30)
kill -9 "${PID[w2]}"
before=$(wc -l <"$WORK/client.out")
wait_records_in "$WORK/client.out" $((before + 20)) $(scaled 40)
kill -STOP "${PID[w3]}"
sleep 10 # the stop being tested lasts 10 s
kill -CONT "${PID[w3]}"
# After the takeover every ask succeeds: wait for 40 successes in a row.
end=$((SECONDS + $(bound $(scaled 60))))
until tail -n 40 "$WORK/client.out" | awk '$1 != "ok" {bad = 1} END {exit bad || NR < 40}'; do
  ((SECONDS < end)) || fail "asks still fail after the takeover: $(grep ^err "$WORK/client.out" | tail -n 3)"
  kill -0 "$CLIENT" 2>/dev/null || fail "the client ended early"
  sleep 0.5 # polling the client's output
done
touch "$WORK/stop-client"
timeout "$(bound 30)" tail --pid="$CLIENT" -f /dev/null || fail "the client did not stop"
wait "$CLIENT" || fail "the client exited with an error: $(tail -n 3 "$WORK/client.log")"

# None hung: each answer or failure came within the timeout (and a margin).
awk -v limit=$(((TIMEOUT_MS + 1500) * 1000)) '
  $1 == "ok" && $5 > limit || $1 == "err" && $4 > limit {print; bad = 1}
  $1 != "ok" && $1 != "err" {print "malformed: " $0; bad = 1}
  END {exit bad}' "$WORK/client.out" || fail "an ask took longer than its timeout"
asks=$(wc -l <"$WORK/client.out")
errs=$(grep -c '^err' "$WORK/client.out" || true)
echo "asks: $asks, failed: $errs"
grep '^err' "$WORK/client.out" | cut -d' ' -f5- | sort | uniq -c | sort -rn | head -5

# The group settles (w3 rejoined) before the workers stop.
wait_ready 2 $(scaled 40)
# One at a time: a worker stopped while the group rebalances cannot commit.
stop_worker "${PID[w3]}" $(scaled 30)
wait_ready 1 $(scaled 40)
stop_worker "${PID[w1]}" $(scaled 30)

# The tables, from their changelogs (last value per key).
last_values() {
  timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -e -q \
    -f '%k %s\n' | awk '{v[$1] = $2} END {for (k in v) print k, v[k]}' | sort
}
last_values counter-counter-applied-changelog >"$WORK/applied"
last_values counter-counter-totals-changelog >"$WORK/totals"
python3 - "$WORK/client.out" "$WORK/applied" "$WORK/totals" <<'EOF' || fail "the tables are not exact"
import sys, collections
ok, asked = set(), set()
for line in open(sys.argv[1]):
    f = line.split()
    asked.add("%s/%s" % (f[1], f[2]))
    if f[0] == "ok":
        ok.add("%s/%s" % (f[1], f[2]))
applied = {}
for line in open(sys.argv[2]):
    k, v = line.split()
    applied[k.strip('"')] = int(v)
totals = {}
for line in open(sys.argv[3]):
    k, v = line.split()
    totals[k.strip('"')] = int(v)
bad = [k for k, v in applied.items() if v != 1]
if bad: sys.exit("applied more than once: %s" % bad[:5])
ids = {k for k in applied if not k.startswith("probe/")}
if not ok <= ids: sys.exit("successful asks not applied: %s" % sorted(ok - ids)[:5])
if not ids <= asked: sys.exit("applied but never asked: %s" % sorted(ids - asked)[:5])
per = collections.Counter(k.split("/")[0] for k in ids)
for acct, n in per.items():
    if totals.get(acct) != n:
        sys.exit("account %s: total %s, %d ids applied" % (acct, totals.get(acct), n))
if totals.get("probe") != 4: sys.exit("probe total %s, expected 4" % totals.get("probe"))
print("applied %d of %d asks (%d succeeded, %d failed of which %d applied)" % (
    len(ids), len(asked), len(ok), len(asked - ok), len((asked - ok) & ids)))
EOF
echo "direct asks: PASS"
