#!/usr/bin/env bash
# Exact table state after crashes: the page_views worker (RocksDB tables,
# at-least-once) is killed with SIGKILL three times, at random moments,
# while page views keep arriving; each time it is restarted. In the end the
# changelog (read with kcat: the last value of each key) and the table in
# the worker's datadir both hold exactly the number of views of each page:
# nothing lost, nothing counted twice. Run with the table cache (the
# default) and without (F_TABLE_CACHE_MAX_BYTES=0).
#   kafka_page_views_sigkill.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
N=100000
CHUNKS=25
PAGES=40
CHANGELOG=page_views-page_views-changelog
# Every view the worker has read is forwarded here once at least (with a
# table cache the changelog holds far fewer records than views).
REPARTITION=page_views-count_page_views-page_views-PageView.id-repartition

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
worker_args=(--broker "kafka://$BOOTSTRAP" --datadir "$WORK/data")
start_worker w0 "$PAGE_VIEWS" "${worker_args[@]}"
wait_log "$WORK/w0.log" 'recovery done' "$(scaled 60)"

page_view_counts 1 $N $PAGES >"$WORK/want"

(per=$((N / CHUNKS))
for c in $(seq 0 $((CHUNKS - 1))); do
  page_view_lines $((c * per + 1)) $(((c + 1) * per)) $PAGES |
    kcat -b "$BOOTSTRAP" -P -t page_views -K:
  sleep 1 # pacing, not synchronisation: the stream lasts ~25 s
done) &
feeder=$!
PIDS+=($feeder)

# Every wait is cut to the test's budget (kafka_lib.sh: bound), so the sum of
# the bounds below may exceed it without the test being killed silently.
# Kill at random points of the stream: once the worker has forwarded a
# random number of views since the last restart.
seen=0
for round in 1 2 3; do
  seen=$((seen + 2000 + RANDOM % 15000))
  ((seen < N)) || seen=$((N - 1))
  wait_records "$REPARTITION" "$seen" "$(scaled 120)"
  kill -9 "$WORKER_PID"
  wait "$WORKER_PID" 2>/dev/null || true
  seen=$(read_all "$REPARTITION" | wc -l)
  echo "round $round: killed with $seen views forwarded," \
    "$(read_all "$CHANGELOG" | wc -l) changelog records"
  start_worker "w$round" "$PAGE_VIEWS" "${worker_args[@]}"
  wait_log "$WORK/w$round.log" 'recovery done' "$(scaled 90)"
done
wait_feeder "$feeder"

expect_changelog_counts "$CHANGELOG" "$WORK/want" "$(scaled 120)"
stop_worker "$WORKER_PID" "$(scaled 60)"
# The table in the datadir (the worker is stopped, so its stores can open).
expect_table_counts "$PAGE_VIEWS" "$WORK/data" page_views "$WORK/want"
records=$(read_all "$CHANGELOG" | wc -l)
echo "ok: $N views of $PAGES pages counted exactly after 3 SIGKILLs" \
  "(table and changelog agree; $records changelog records)"
