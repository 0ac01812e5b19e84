#!/usr/bin/env bash
# The cluster view: page_views workers announce themselves on the compacted
# topic page_views-__cluster, and `page_views cluster --json`, a client
# process reading that topic, shows them: each member with its endpoint
# (accepting connections), the members' page_views partitions disjoint and
# covering all four, each ready, one of them the leader (the owner of
# page_views-__assignor-__leader's partition). A worker stopped with SIGTERM writes a
# tombstone; a SIGKILLed worker writes none and drops out of the view when
# the group has rebalanced (the survivor announces its partitions in a newer
# generation) while its last record stays on the topic.
#   kafka_cluster.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
export F_BROKER_SESSION_TIMEOUT=6
CLUSTER=page_views-__cluster

# view: the cluster view as JSON, from a client process.
view() {
  "$PAGE_VIEWS" cluster --broker "kafka://$BOOTSTRAP" --json 2>>"$WORK/cli.log"
}

# summarize: reads a view; prints "members=ID,ID pages=0,1,2,3 ready leader-ok" when
# the members' page_views partitions are disjoint and all ready (or says
# what is wrong), and the members' endpoints on fd 3 as "HOST PORT" lines.
summarize() {
  python3 -c '
import json, sys
v = json.load(sys.stdin)
ws = v["workers"]
pages, ready, eps = [], True, []
for w in ws:
    own = [p["partition"] for p in w["active"] if p["topic"] == "page_views"]
    pages += own
    ready = ready and all(p["state"] == "ready" for p in w["active"])
    eps.append("%s %d" % (w["host"], w["port"]))
    if not own: ready = False
dup = len(pages) != len(set(pages))
leader = v["leader"]
print("members=%s pages=%s %s %s" % (",".join(sorted(w["worker"] for w in ws)),
      ",".join(map(str, sorted(pages))),
      "duplicate" if dup else ("ready" if ready else "not-ready"),
      "leader-ok" if leader in [w["worker"] for w in ws] else "leader=%s" % leader))
with open("/dev/fd/3", "w") as f:
    f.write("\n".join(eps) + "\n")
'
}

# wait_view EXPECTED SECONDS: reads the view until its summary is EXPECTED;
# leaves the members' endpoints in $WORK/endpoints.
wait_view() {
  local limit got=""
  limit=$(bound "$2")
  local end=$((SECONDS + limit))
  while ((SECONDS < end)); do
    got=$(view | summarize 3>"$WORK/endpoints") || got="(no view)"
    [[ $got == "$1" ]] && return 0
    sleep 0.5
  done
  fail "cluster view: '$got', expected '$1' within $limit s"
}

# last_record KEY: the size of KEY's last record on the cluster topic (-1
# for a tombstone).
last_record() {
  timeout "$(bound 20)" kcat -b "$BOOTSTRAP" -C -t "$CLUSTER" -o beginning -e \
    -q -f '%k %S\n' | awk -v k="$1" '$1 == k { last = $2 } END { print last }'
}

start_broker --partitions 4
start_worker w1 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w1" --worker-id w1 --cluster-port 0
W1=$WORKER_PID
wait_log "$WORK/w1.log" 'recovery done' "$(scaled 60)"
start_worker w2 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w2" --worker-id w2
W2=$WORKER_PID
wait_view "members=w1,w2 pages=0,1,2,3 ready leader-ok" "$(scaled 60)"
# Each announced endpoint accepts connections.
while read -r host port; do
  timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" ||
    fail "no endpoint listening at $host:$port"
done <"$WORK/endpoints"
[[ $(wc -l <"$WORK/endpoints") -eq 2 ]] || fail "expected 2 endpoints"
"$PAGE_VIEWS" cluster --broker "kafka://$BOOTSTRAP" >"$WORK/view.txt" ||
  fail "the cluster command failed"
grep -q '^w1	127.0.0.1:' "$WORK/view.txt" || fail "no w1 row: $(cat "$WORK/view.txt")"
grep -q '^w2	127.0.0.1:' "$WORK/view.txt" || fail "no w2 row: $(cat "$WORK/view.txt")"

# A clean stop: a tombstone, and the survivor owns everything.
stop_worker "$W2" "$(scaled 40)"
[[ $(last_record w2) == -1 ]] || fail "w2 wrote no tombstone"
wait_view "members=w1 pages=0,1,2,3 ready leader-ok" "$(scaled 60)"

# A SIGKILL: no tombstone; w3 drops out once the group has rebalanced.
start_worker w3 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w3" --worker-id w3
W3=$WORKER_PID
wait_view "members=w1,w3 pages=0,1,2,3 ready leader-ok" "$(scaled 60)"
kill -9 "$W3"
wait_view "members=w1 pages=0,1,2,3 ready leader-ok" "$(scaled 60)"
size=$(last_record w3)
[[ -n $size && $size != -1 ]] || fail "w3's last record should stay: '$size'"

# A client of an app without a Kafka broker is told so.
if "$PAGE_VIEWS" cluster --broker memory:// 2>"$WORK/memory.err"; then
  fail "cluster on memory:// should fail"
fi
grep -q "needs a Kafka broker" "$WORK/memory.err" || fail "unclear error: $(cat "$WORK/memory.err")"

stop_worker "$W1" "$(scaled 40)"
echo "PASS"
