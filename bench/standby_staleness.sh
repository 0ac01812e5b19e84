#!/usr/bin/env bash
# standby_staleness: how far behind its owner a standby's store runs, with
# changelog pushes over the cluster (ours) against reading the changelog
# topic only (`F_TABLE_STANDBY_PUSH=0`: the baseline, what standbys did
# before pushes, and what Faust's standbys do), and what that means at a
# takeover: the records the new owner replays.
#
# Two page_views workers (one standby replica, no table cache: one
# changelog record per view) on a faust-broker; a paced producer sends
# page views at RATE per second for RUN seconds; halfway through, the
# worker w1 is SIGKILLed and w2 takes its partitions over. A standby
# measures each changelog record from its timestamp (when the owner sent
# it) to the moment it is in the standby's store, and w2 logs the figures
# of the partitions it takes over when it takes them; its recovery says
# how many changelog records it replayed. The counts must end exact.
#
#   bench/standby_staleness.sh [--quick]
# Prints BENCH lines (p50 and p99 over the taken-over partitions: the
# larger of the partitions' figures; ratio = baseline / ours, > 1 is
# better) and the records replayed at the takeover in each mode.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAUST_BIN:-$here/build/bin}
[[ -x $bin/page_views && -x $bin/faust-broker ]] ||
  cmake --build "$here/build" --target page_views faust-broker >/dev/null
FAUST_BROKER_BIN=$bin/faust-broker
PAGE_VIEWS=$bin/page_views
export FAUST_TEST_BUDGET=900
source "$here/tests/integration/kafka_lib.sh"
base=$WORK

RATE=2000 RUN=20
[[ ${1:-} == --quick ]] && RUN=10
N=$((RATE * RUN))
PAGES=40
export F_BROKER_SESSION_TIMEOUT=6
export F_TABLE_STANDBY_REPLICAS=1
export F_TABLE_CACHE_MAX_BYTES=0
export F_WEB_PORT=0 # two workers on one machine: ports the system picks
CHANGELOG=page_views-page_views-changelog

# Until both workers announce standbys (each follows the other's
# partitions).
wait_standbys() {
  local end=$((SECONDS + 90)) got
  while ((SECONDS < end)); do
    got=$("$PAGE_VIEWS" cluster --broker "kafka://$BOOTSTRAP" --json 2>/dev/null |
      python3 -c '
import json, sys
v = json.load(sys.stdin)
print(sum(1 for w in v["workers"] if w["standby"]))' 2>/dev/null) || got=0
    [[ $got == 2 ]] && return 0
    sleep 0.5 # polling the view, a topic read by a client process
  done
  fail "the workers did not place their standbys within 90 s"
}

# produce: RATE page views per second (a batch every 10 ms) for RUN s.
produce() {
  /usr/bin/python3 - "$BOOTSTRAP" "$RATE" "$N" "$PAGES" <<'PY'
import json, sys, time
from confluent_kafka import Producer
bootstrap, rate, n, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 2})
per_tick = max(1, rate // 100)
start = time.monotonic()
for i in range(1, n + 1):
    user = "u%d" % (i % 13)
    p.produce("page_views", key=user,
              value=json.dumps({"id": "p%d" % ((i * 7) % pages), "user": user}))
    if i % per_tick == 0:
        p.poll(0)
        due = start + (i / per_tick) * 0.01
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
p.flush(30)
PY
}

# run MODE PUSH: one run; leaves "p50 p99 replayed" in $base/MODE.result.
run() {
  local mode=$1 push=$2
  WORK=$base/$mode
  mkdir -p "$WORK"
  start_broker --partitions 4
  export F_TABLE_STANDBY_PUSH=$push
  start_worker w1 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
    --datadir "$WORK/w1" --worker-id w1
  local victim=$WORKER_PID
  disown "$victim" # (no job notice when it is killed)
  start_worker w2 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
    --datadir "$WORK/w2" --worker-id w2
  local survivor=$WORKER_PID
  disown "$survivor"
  wait_standbys
  produce &
  local producer=$!
  sleep $((RUN / 2)) # the kill lands halfway through the paced input
  local from
  from=$(wc -l <"$WORK/w2.log")
  kill -9 "$victim"
  wait "$producer" || fail "the producer failed"
  page_view_counts 1 "$N" $PAGES >"$WORK/want"
  expect_changelog_counts "$CHANGELOG" "$WORK/want" 120
  tail -n +"$((from + 1))" "$WORK/w2.log" >"$WORK/takeover"
  local stale replayed
  stale=$(sed -n "s/.*standby table 'page_views' partition [0-9]*: [0-9]* changelog records applied, behind the owner by p50 \([0-9]*\) ms, p99 \([0-9]*\) ms.*/\1 \2/p" \
    "$WORK/takeover" | awk '$1 > a {a = $1} $2 > b {b = $2} END {print a + 0, b + 0, NR}')
  replayed=$(sed -n "s/.*recovered table 'page_views' partition [0-9]*: \([0-9]*\) changelog records read.*/\1/p" \
    "$WORK/takeover" | awk '{s += $1} END {print s + 0}')
  grep "standby table 'page_views'" "$WORK/takeover" | sed 's/^.*\] //' | sed "s/^/  $mode: /"
  [[ $(awk '{print $3}' <<<"$stale") -gt 0 ]] ||
    fail "$mode: w2 reported no standby figures at the takeover"
  echo "$(awk '{print $1, $2}' <<<"$stale") $replayed" >"$base/$mode.result"
  disown "$BROKER_PID" 2>/dev/null || true
  kill -9 "$survivor" "$BROKER_PID" 2>/dev/null || true
  exec 7>&-
}

run push 1
run read 0
read -r push50 push99 push_replayed <"$base/push.result"
read -r read50 read99 read_replayed <"$base/read.result"
# (Both 0: the same.)
ratio() { awk -v b="$1" -v o="$2" 'BEGIN { printf "%.2f", (o > 0 ? b / o : (b > 0 ? b : 1)) }'; }
echo "BENCH name=standby_staleness_p50 ours=$push50 baseline=$read50 unit=ms ratio=$(ratio "$read50" "$push50")"
echo "BENCH name=standby_staleness_p99 ours=$push99 baseline=$read99 unit=ms ratio=$(ratio "$read99" "$push99")"
echo "BENCH name=takeover_records_replayed ours=$push_replayed baseline=$read_replayed unit=records ratio=$(ratio "$read_replayed" "$push_replayed")"
