#!/usr/bin/env bash
# The worker's web server, as an operator meets it: a page_views worker on
# faust-broker serves /healthz, /readyz (ready once its partitions are
# recovered), the monitor at / and Prometheus' /metrics, whose counts follow
# the records it processes; Faust's /assignment/, /router/ and /table/ views
# (the routes from the cluster view, a key's owner URL); unknown paths are
# 404 and other methods 405,
# with a JSON error. A port already taken stops a second worker with a
# message naming it; --without-web runs none; SIGTERM stops the server with
# the worker.
#   kafka_web.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
N=200

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
# Faust's worker flags: -p port, -b bind address, -h host name in its URL.
start_web_worker w1 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w1" -b 127.0.0.1
W1=$WORKER_PID
grep -qE 'web: serving on http://localhost:[0-9]+/ \(bound to 127\.0\.0\.1\)' \
  "$WORK/w1.log" || fail "-b 127.0.0.1: $(grep 'web:' "$WORK/w1.log")"

# get PATH [CURL ARGS...]: the status code; the body in $WORK/body.
get() {
  local path=$1
  shift
  curl -sS -m 5 -o "$WORK/body" -w '%{http_code}' "$@" "$URL$path" ||
    fail "no answer from $URL$path"
}
expect() { # STATUS PATH [CURL ARGS...]
  local want=$1 got
  shift
  got=$(get "$@")
  [[ $got == "$want" ]] || fail "$* answered $got, not $want: $(cat "$WORK/body")"
}
json_field() { # FIELD: the field of the JSON body in $WORK/body
  /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
    "$WORK/body" "$1" || fail "not JSON with '$1': $(cat "$WORK/body")"
}

expect 200 /healthz
[[ $(json_field alive) == True ]] || fail "/healthz: $(cat "$WORK/body")"

# Ready once the group gave it partitions and their tables are recovered.
wait_log "$WORK/w1.log" 'recovery done' "$(scaled 60)"
deadline=$((SECONDS + $(bound "$(scaled 30)")))
until [[ $(get /readyz) == 200 ]] && (($(json_field partitions_assigned) > 0)); do
  ((SECONDS < deadline)) || fail "/readyz: $(cat "$WORK/body")"
  sleep 0.2 # polling the endpoint under test: it has no event to await
done
[[ $(json_field partitions_recovering) == 0 ]] || fail "/readyz: $(cat "$WORK/body")"

page_view_lines 1 $N 10 | kcat -b "$BOOTSTRAP" -P -t page_views -K:
# The monitor counts the views as they are processed.
deadline=$((SECONDS + $(bound "$(scaled 60)")))
until expect 200 / && (($(json_field events_total) >= N)); do
  ((SECONDS < deadline)) || fail "/: $(cat "$WORK/body")"
  sleep 0.2 # polling the endpoint under test
done
[[ $(json_field app) == page_views ]] || fail "/: $(cat "$WORK/body")"

# Faust's monitor fields: the views and their repartitioned copies were
# received, the agent counted each, the table was read and set for each.
/usr/bin/python3 - "$WORK/body" "$N" <<'PY' || fail "/: $(cat "$WORK/body")"
import json, sys
m, n = json.load(open(sys.argv[1])), int(sys.argv[2])
assert m["state"] == "running", m["state"]
assert m["messages_received_by_topic"]["page_views"] == n, m
assert m["messages_received_total"] == 2 * n, m
assert m["events_by_task"]["count_page_views"] == n, m
assert m["tables"]["page_views"]["keys_updated"] == n, m["tables"]
assert m["rebalances"] >= 1 and m["assignments_completed"] >= 1, m
PY

# /metrics parses as Prometheus' text format, with faust-streaming's names,
# and its counts are the records sent. Once the offsets are committed and
# the producer's statistics are in (every second), the lag is 0 and every
# repartitioned record is counted as sent.
metrics_ok() {
  [[ $(get /metrics) == 200 ]] || return 1
  /usr/bin/python3 - "$WORK/body" "$N" "$(dirname "$0")" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import prometheus_text as prom
s, n = prom.parse(open(sys.argv[1]).read()), int(sys.argv[2])
v = lambda name, **labels: prom.value(s, "page_views_" + name, **labels)
assert v("total_events_total") >= n, v("total_events_total")
assert v("messages_received_total") == 2 * n, v("messages_received_total")
assert v("messages_received_per_topic_total", topic="page_views") == n
assert v("table_operations_total", table="table.page_views",
         operation="keys_updated") == n
assert v("events_runtime_ms_count") >= n, v("events_runtime_ms_count")
assert v("partitions_recovering") == 0
assert v("total_rebalances") >= 1
# End offsets come with the consumer's next tick (every 200 ms).
ends = prom.values(s, "page_views_topic_partition_end_offset")
if sum(x for l, x in ends if l["topic"] == "page_views") != n:
    sys.exit(3)
lags = [(l, x) for l, x in prom.values(s, "page_views_consumer_lag")
        if l["topic"] == "page_views"]
if len(lags) != 4 or any(x != 0 for l, x in lags):
    sys.exit(3)  # not committed yet
sent = prom.values(s, "page_views_topic_messages_sent_total")
if sum(x for l, x in sent if l["topic"].endswith("-repartition")) != n:
    sys.exit(3)  # the next statistics say it
PY
  local rc=$?
  ((rc == 0 || rc == 3)) || fail "/metrics: $(cat "$WORK/body")"
  return $rc
}
deadline=$((SECONDS + $(bound "$(scaled 30)")))
until metrics_ok; do
  ((SECONDS < deadline)) || fail "/metrics (lag, sent): $(grep -E 'lag|sent|commit' "$WORK/body")"
  sleep 0.5 # polling the endpoint under test
done

# Faust's views. The tables, and a table that is not there.
expect 200 /table/
[[ $(cat "$WORK/body") == '[{"name": "page_views", "help": '* ]] ||
  fail "/table/: $(cat "$WORK/body")"
expect 200 /table/page_views/
[[ $(json_field name) == page_views ]] || fail "/table/page_views/: $(cat "$WORK/body")"
expect 404 /table/nope/
[[ $(json_field error) == "unknown table" ]] || fail "/table/nope/: $(cat "$WORK/body")"
# The only worker is active for every partition of the page_views topic
# and stands by for none.
expect 200 /assignment/
/usr/bin/python3 - "$WORK/body" <<'PY' || fail "/assignment/: $(cat "$WORK/body")"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["actives"]["page_views"] == [0, 1, 2, 3], a
assert a["standbys"] == {}, a
PY
# The routes come from the cluster view: this worker's URL for every
# changelog partition, once the view has its announcement.
routes_ok() {
  [[ $(get /router/) == 200 ]] &&
    /usr/bin/python3 - "$WORK/body" "$URL" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r == {sys.argv[2]: {"page_views-page_views-changelog": [0, 1, 2, 3]}} else 1)
PY
}
deadline=$((SECONDS + $(bound "$(scaled 30)")))
until routes_ok; do
  ((SECONDS < deadline)) || fail "/router/: $(cat "$WORK/body")"
  sleep 0.2 # polling the endpoint under test
done
expect 200 /router/page_views/
cmp -s <(/usr/bin/python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))))' "$WORK/body") \
  <(echo "['$URL']") || fail "/router/page_views/: $(cat "$WORK/body")"
expect 404 /router/nope/
# A key (percent-decoded) is routed to the worker owning its partition.
expect 200 "/router/page_views/page%2042/"
[[ $(cat "$WORK/body") == "\"$URL\"" ]] || fail "/router/page_views/page 42/: $(cat "$WORK/body")"

# A key's value, read on its owner: what the delivered changelog records
# say (it may trail the monitor by a table cache flush).
deadline=$((SECONDS + $(bound "$(scaled 30)")))
until [[ $(get /table/page_views/p3/) == 200 && $(cat "$WORK/body") == 20 ]]; do
  ((SECONDS < deadline)) || fail "/table/page_views/p3/: $(cat "$WORK/body")"
  sleep 0.2 # polling the endpoint under test
done
expect 404 /table/page_views/p99/
[[ $(json_field error) == "key not found" ]] || fail "p99: $(cat "$WORK/body")"

expect 404 /no/such/view
[[ $(json_field error) == *"/no/such/view"* ]] || fail "404: $(cat "$WORK/body")"
expect 405 /healthz -X POST
expect 200 /healthz/ # a trailing slash is the same view

# The port is taken: a second worker says so and stops.
rc=0
timeout "$(bound "$(scaled 30)")" "$PAGE_VIEWS" worker --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w2" --web-port "$PORT" >"$WORK/w2.out" 2>"$WORK/w2.log" || rc=$?
((rc != 0 && rc != 124)) || fail "a worker on a taken port exited with $rc"
grep -q "cannot listen on 127.0.0.1:$PORT" "$WORK/w2.log" ||
  fail "no message naming the taken port"

# A second worker takes half the partitions: a key it owns, asked of the
# first worker, is read on the second over CAF (Faust's table_route).
start_worker w4 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w4" -p 0
wait_log "$WORK/w4.log" 'web: serving on' "$(scaled 30)"
URL4=$(sed -n 's|.*web: serving on \(http://[^ ]*\)/ .*|\1|p' "$WORK/w4.log" | head -1)
page_on_w4() { # the first page whose key the second worker owns, or ""
  local k
  for k in 0 1 2 3 4 5 6 7 8 9; do
    if [[ $(get "/router/page_views/p$k/") == 200 && $(cat "$WORK/body") == "\"$URL4\"" ]]; then
      echo "p$k"
      return
    fi
  done
}
deadline=$((SECONDS + $(bound "$(scaled 60)")))
until [[ -n ${far:=$(page_on_w4)} ]] && [[ $(get "/table/page_views/$far/") == 200 && $(cat "$WORK/body") == 20 ]]; do
  ((SECONDS < deadline)) || fail "a key of the second worker read on the first: ${far:-no page on it}: $(cat "$WORK/body")"
  far=
  sleep 0.5 # the group rebalances and the second worker recovers
done
echo "read $far on the first worker from the second"
stop_worker "$WORKER_PID" "$(scaled 60)"
# The first worker gets every partition back before it stops in turn (a
# stop in the middle of a rebalance cannot commit: exit code 3).
all_back() {
  [[ $(get /assignment/) == 200 ]] && /usr/bin/python3 - "$WORK/body" <<'PY'
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["actives"].get("page_views") == [0, 1, 2, 3] else 1)
PY
}
deadline=$((SECONDS + $(bound "$(scaled 60)")))
until all_back; do
  ((SECONDS < deadline)) || fail "/assignment/ after the second worker left: $(cat "$WORK/body")"
  sleep 0.5 # the group rebalances
done

stop_worker "$W1" "$(scaled 60)"
curl -sS -m 2 "$URL/healthz" >/dev/null 2>&1 && fail "still serving after the worker stopped"

# --without-web: the worker runs and serves nothing. -f: its log goes to
# the file.
start_worker w3 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w3" --without-web -f "$WORK/w3.file.log"
wait_log "$WORK/w3.file.log" "app 'page_views' started" "$(scaled 30)"
grep -q 'web: serving' "$WORK/w3.file.log" && fail "--without-web served"
grep -q "app 'page_views' started" "$WORK/w3.log" && fail "-f: the log still went to stderr"
stop_worker "$WORKER_PID" "$(scaled 60)"
echo "web views OK (port $PORT)"
