#!/usr/bin/env bash
# Standby replicas: two page_views workers share the partitions; each keeps
# following the changelogs of the partitions the other owns. Worker A is
# killed with SIGKILL; when B takes A's partitions over, it replays only the
# tail of their changelogs (without standbys it would replay all of them),
# and the counts stay exact: the changelog (kcat) and B's datadir hold the
# number of views of each page.
#   kafka_page_views_standby.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
N=40000
PAGES=40
CHANGELOG=page_views-page_views-changelog

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
start_worker a "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/a"
A=$WORKER_PID
wait_log "$WORK/a.log" 'recovery done' 60
start_worker b "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" --datadir "$WORK/b"
B=$WORKER_PID
wait_log "$WORK/b.log" 'recovery done' 60

page_view_counts 1 $((N + N / 4)) $PAGES >"$WORK/want"

# Both workers count N views; then A dies.
page_view_lines 1 $N $PAGES | kcat -b "$BOOTSTRAP" -P -t page_views -K: ||
  fail "kcat could not produce the input"
wait_records "$CHANGELOG" $N 120
a_parts=$(grep -c 'recovery done' "$WORK/a.log")
b_recoveries=$(grep -c 'recovery done' "$WORK/b.log")
kill -9 "$A"
wait "$A" 2>/dev/null || true
# More views while B takes over (after the session timeout).
page_view_lines $((N + 1)) $((N + N / 4)) $PAGES | kcat -b "$BOOTSTRAP" -P -t page_views -K: ||
  fail "kcat could not produce the input"

# B's next recovery is the takeover of A's partitions.
deadline=$((SECONDS + 90))
until (($(grep -c 'recovery done' "$WORK/b.log") > b_recoveries)); do
  ((SECONDS < deadline)) || fail "B did not take A's partitions over"
  sleep 0.2 # polling B's log for the takeover
done
takeover=$(grep 'recovery done' "$WORK/b.log" | sed -n "$((b_recoveries + 1))p")
echo "takeover: ${takeover#*] }"
read_on_takeover=$(sed 's/.* \([0-9]*\) changelog records read.*/\1/' <<<"$takeover")
# A owned about half the partitions: N/2 changelog records. A warm standby
# replays only what arrived since its last pass.
((read_on_takeover < N / 20)) ||
  fail "the takeover replayed $read_on_takeover changelog records: the standby was not warm"

expect_changelog_counts "$CHANGELOG" "$WORK/want" 120
stop_worker "$B" 60
expect_table_counts "$PAGE_VIEWS" "$WORK/b" page_views "$WORK/want"
echo "ok: the standby took over replaying $read_on_takeover changelog records" \
  "($((N + N / 4)) views counted exactly; A recovered $a_parts times)"
