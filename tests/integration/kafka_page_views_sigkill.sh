#!/usr/bin/env bash
# Exact table state after crashes: the page_views worker (RocksDB tables,
# at-least-once) is killed with SIGKILL three times, at random moments,
# while page views keep arriving; each time it is restarted. In the end the
# changelog (read with kcat: the last value of each key) and the table in
# the worker's datadir both hold exactly the number of views of each page:
# nothing lost, nothing counted twice.
#   kafka_page_views_sigkill.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
N=100000
CHUNKS=25
PAGES=40
CHANGELOG=page_views-page_views-changelog

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
worker_args=(--broker "kafka://$BOOTSTRAP" --datadir "$WORK/data")
start_worker w0 "$PAGE_VIEWS" "${worker_args[@]}"
wait_log "$WORK/w0.log" 'recovery done' 60

# View i is of page p(i*7 % PAGES) by user u(i % 13), keyed by user, so one
# page's views arrive on several partitions and go through the repartition.
views() { awk -v from="$1" -v to="$2" -v pages=$PAGES 'BEGIN {
  for (i = from; i <= to; i++)
    printf "u%d:{\"id\": \"p%d\", \"user\": \"u%d\"}\n", i % 13, (i * 7) % pages, i % 13 }'; }
views 1 $N | sed 's/.*"id": "\(p[0-9]*\)".*/\1/' | sort | uniq -c |
  awk '{print "\"" $2 "\"", $1}' | sort >"$WORK/want"

(per=$((N / CHUNKS))
for c in $(seq 0 $((CHUNKS - 1))); do
  views $((c * per + 1)) $(((c + 1) * per)) | kcat -b "$BOOTSTRAP" -P -t page_views -K:
  sleep 1 # pacing, not synchronisation: the stream lasts ~25 s
done) &
feeder=$!
PIDS+=($feeder)

# Kill at random points of the stream: once the changelog has grown by a
# random number of records since the last restart.
seen=0
for round in 1 2 3; do
  seen=$((seen + 2000 + RANDOM % 15000))
  ((seen < N)) || seen=$((N - 1))
  wait_records "$CHANGELOG" "$seen" 120
  kill -9 "$WORKER_PID"
  wait "$WORKER_PID" 2>/dev/null || true
  seen=$(read_all "$CHANGELOG" | wc -l)
  echo "round $round: killed with $seen changelog records"
  start_worker "w$round" "$PAGE_VIEWS" "${worker_args[@]}"
  wait_log "$WORK/w$round.log" 'recovery done' 90
done
wait "$feeder" || fail "kcat could not produce the input"

# The last value of each key on the changelog, as `"page" count` lines.
last_values() {
  timeout 30 kcat -b "$BOOTSTRAP" -C -t "$CHANGELOG" -o beginning -e -q \
    -f '%k %s\n' | awk '{v[$1] = $2} END {for (k in v) print k, v[k]}' | sort
}
deadline=$((SECONDS + 120))
until last_values >"$WORK/changelog" && cmp -s "$WORK/want" "$WORK/changelog"; do
  ((SECONDS < deadline)) || {
    diff "$WORK/want" "$WORK/changelog" | head -20
    fail "the changelog does not hold the exact counts"
  }
  sleep 1 # polling the changelog: the worker reports no completion event
done
stop_worker "$WORKER_PID" 60

# The table in the datadir (the worker is stopped, so its stores can open).
"$PAGE_VIEWS" tables --datadir "$WORK/data" --dump page_views |
  sed 's/.*"key": \("[^"]*"\), "value": \([0-9]*\)}/\1 \2/' | sort >"$WORK/table"
cmp -s "$WORK/want" "$WORK/table" || {
  diff "$WORK/want" "$WORK/table" | head -20
  fail "the table does not hold the exact counts"
}
records=$(read_all "$CHANGELOG" | wc -l)
echo "ok: $N views of $PAGES pages counted exactly after 3 SIGKILLs" \
  "(table and changelog agree; $records changelog records)"
