#!/usr/bin/env bash
# Standby replicas: two page_views workers share the partitions; each keeps
# following the changelogs of the partitions the other owns. Worker A is
# killed with SIGKILL; when B takes A's partitions over, it replays only the
# tail of their changelogs, and the counts stay exact: the changelog (kcat)
# and B's datadir hold the number of views of each page. A control run
# without standbys (F_TABLE_STANDBY_REPLICAS=0) shows that the same takeover
# then replays each of A's changelog partitions whole.
#   kafka_page_views_standby.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
PAGES=40
CHANGELOG=page_views-page_views-changelog
export F_BROKER_SESSION_TIMEOUT=6

# assigned_parts LOG: the partition numbers of the last "table partitions
# assigned here: page_views[...]" line of LOG.
assigned_parts() {
  grep 'table partitions assigned here:' "$1" | tail -n 1 |
    sed -n 's/.*page_views\[\([0-9,]*\)\].*/\1/p' | tr ',' ' '
}

# read_by_recovery LOG P: how many changelog records the recovery of
# partition P read, from the last "recovered table 'page_views' partition P"
# line of LOG.
read_by_recovery() {
  grep "recovered table 'page_views' partition $2: " "$1" | tail -n 1 |
    sed -n 's/.*: \([0-9]*\) changelog records read.*/\1/p'
}

# takeover RUN REPLICAS N: A and B count N views, A dies, B takes over while
# N/4 more arrive. Checks which partitions B recovered and how much it read;
# leaves the records read per partition in $WORK/RUN.read.
takeover() {
  local run=$1 replicas=$2 n=$3
  export F_TABLE_STANDBY_REPLICAS=$replicas
  start_broker --partitions 4
  start_worker "$run-a" "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
    --datadir "$WORK/$run-a"
  local a=$WORKER_PID
  wait_log "$WORK/$run-a.log" 'recovery done' "$(scaled 60)"
  start_worker "$run-b" "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
    --datadir "$WORK/$run-b"
  local b=$WORKER_PID
  wait_log "$WORK/$run-b.log" 'recovery done' "$(scaled 60)"

  page_view_counts 1 $((n + n / 4)) $PAGES >"$WORK/$run.want"
  page_view_lines 1 "$n" $PAGES | kcat -b "$BOOTSTRAP" -P -t page_views -K: ||
    fail "kcat could not produce the input"
  # Every view counted (with a table cache the changelog holds fewer
  # records than views).
  page_view_counts 1 "$n" $PAGES >"$WORK/$run.first"
  expect_changelog_counts "$CHANGELOG" "$WORK/$run.first" "$(scaled 120)"
  local a_parts
  a_parts=$(assigned_parts "$WORK/$run-a.log")
  [[ -n $a_parts ]] || fail "$run: no table partitions assigned to A"
  local b_from
  b_from=$(wc -l <"$WORK/$run-b.log")
  kill -9 "$a"
  wait "$a" 2>/dev/null || true
  # A is dead and B has not taken over: A's changelog partitions hold what
  # a cold takeover would read.
  declare -A size
  local p
  for p in $a_parts; do
    size[$p]=$(timeout 30 kcat -b "$BOOTSTRAP" -C -t "$CHANGELOG" -p "$p" \
      -o beginning -e -q -f '\n' | wc -l)
  done
  page_view_lines $((n + 1)) $((n + n / 4)) $PAGES |
    kcat -b "$BOOTSTRAP" -P -t page_views -K: || fail "kcat could not produce the input"

  # B's next assignment gives it every partition (after the session
  # timeout); its recovery of them then completes.
  local deadline=$((SECONDS + $(scaled 90)))
  until tail -n +"$((b_from + 1))" "$WORK/$run-b.log" |
    sed -n '/table partitions assigned here: page_views\[0,1,2,3\]/,$p' |
    grep -q 'recovery done'; do
    ((SECONDS < deadline)) || fail "$run: B did not take A's partitions ($a_parts) over"
    sleep 0.2 # polling B's log for the takeover
  done
  tail -n +"$((b_from + 1))" "$WORK/$run-b.log" >"$WORK/$run-b.takeover"
  : >"$WORK/$run.read"
  for p in $a_parts; do
    local read
    read=$(read_by_recovery "$WORK/$run-b.takeover" "$p")
    [[ -n $read ]] || fail "$run: B did not recover A's partition $p"
    echo "$p ${size[$p]} $read" >>"$WORK/$run.read"
    echo "$run: A's partition $p: changelog ${size[$p]} records, B's takeover read $read"
  done

  expect_changelog_counts "$CHANGELOG" "$WORK/$run.want" "$(scaled 120)"
  stop_worker "$b" "$(scaled 60)"
  expect_table_counts "$PAGE_VIEWS" "$WORK/$run-b" page_views "$WORK/$run.want"
  kill -9 "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  exec 7>&-
  rm -f "$WORK/broker.in" "$WORK/broker.out"
}

# Warm: B followed A's changelogs, so it reads only their tails.
takeover warm 1 40000
while read -r p size read; do
  # (With the table cache a partition's changelog may hold only tens of
  # records: reading none of them is warm too.)
  ((read == 0 || read < size / 20)) ||
    fail "warm: partition $p: the takeover read $read of $size changelog records: the standby was not warm"
done <"$WORK/warm.read"

# Control, cold: without standbys the same takeover reads each partition
# whole (the measurement tells warm from cold).
takeover cold 0 20000
while read -r p size read; do
  ((size > 0 && read >= size)) ||
    fail "cold: partition $p: the takeover read only $read of $size changelog records without a standby"
done <"$WORK/cold.read"
echo "ok: with a standby the takeover read $(awk '{s += $3} END {print s}' "$WORK/warm.read")" \
  "changelog records (of $(awk '{s += $2} END {print s}' "$WORK/warm.read")); without," \
  "$(awk '{s += $3} END {print s}' "$WORK/cold.read") (of $(awk '{s += $2} END {print s}' "$WORK/cold.read")); counts exact"
