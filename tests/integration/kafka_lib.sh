# Helpers for integration tests that run faust-broker, workers and kcat as
# real processes on loopback. Source it; every wait is bounded.
#   FAUST_BROKER_BIN must point at build/bin/faust-broker.

# Apps serve their web views on ports the system picks (tests run at once).
export F_WEB_PORT=${F_WEB_PORT:-0}
WORK=${KEEP_WORK:-$(mktemp -d)}
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  exec 7>&- 2>/dev/null || true
  [[ -n ${KEEP_WORK:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  for f in "$WORK"/*.log; do
    [[ -f $f ]] && { echo "--- $f"; tail -n 60 "$f"; }
  done
  exit 1
}

# scaled SECONDS: a time bound scaled for slow builds (FAUST_TIME_SCALE is
# 3 under the sanitizers, set by ctest).
scaled() {
  echo $(($1 * ${FAUST_TIME_SCALE:-1}))
}

# The whole script has FAUST_TEST_BUDGET seconds (ctest sets it 10 s under
# the test's timeout): every wait is cut to what is left of it, so a slow
# run fails with its logs instead of being killed by ctest without them.
BUDGET_END=$((SECONDS + ${FAUST_TEST_BUDGET:-170}))
# bound SECONDS: SECONDS, or what is left of the budget if that is less.
bound() {
  local left=$((BUDGET_END - SECONDS))
  ((left < 1)) && left=1
  ((left < $1)) && echo "$left" || echo "$1"
}

# wait_log FILE REGEX SECONDS: waits for a line matching REGEX in FILE.
wait_log() {
  local limit
  limit=$(bound "$3")
  timeout "$limit" grep -q -m1 -E "$2" <(tail -n +1 -F "$1" 2>/dev/null) ||
    fail "no line matching '$2' in $1 within $limit s"
}

# start_broker [ARGS...]: starts faust-broker with commands from fd 7 and
# sets BOOTSTRAP.
start_broker() {
  mkfifo "$WORK/broker.in"
  "$FAUST_BROKER_BIN" "$@" <"$WORK/broker.in" >"$WORK/broker.out" \
    2>"$WORK/broker.log" &
  PIDS+=($!)
  BROKER_PID=$!
  exec 7>"$WORK/broker.in"
  wait_log "$WORK/broker.out" '^bootstrap=' 20
  BOOTSTRAP=$(sed -n 's/^bootstrap=//p' "$WORK/broker.out" | head -1)
}

# broker_command LINE: sends a control line and waits for its answer.
broker_command() {
  local before
  before=$(wc -l <"$WORK/broker.out")
  echo "$1" >&7
  timeout 10 bash -c "until (( \$(wc -l <'$WORK/broker.out') > $before )); do
    sleep 0.05; done" || fail "broker did not answer '$1'"
  tail -n +$((before + 1)) "$WORK/broker.out" | grep -q "^ok " ||
    fail "broker refused '$1': $(tail -n 1 "$WORK/broker.out")"
}

# start_worker NAME BINARY [ARGS...]: starts `BINARY worker ARGS` logging to
# $WORK/NAME.log and sets WORKER_PID.
start_worker() {
  local name=$1 bin=$2
  shift 2
  "$bin" worker "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  WORKER_PID=$!
  PIDS+=($WORKER_PID)
}

# start_web_worker NAME BINARY [ARGS...]: start_worker with its web server
# on a port the system picks (-p 0) and named localhost (-h); waits until it
# serves, then sets PORT and URL (WORKER_PID as start_worker).
start_web_worker() {
  local name=$1
  start_worker "$@" -p 0 -h localhost
  wait_log "$WORK/$name.log" 'web: serving on http://localhost:[0-9]+/' \
    "$(scaled 30)"
  PORT=$(sed -n 's|.*web: serving on http://localhost:\([0-9]*\)/.*|\1|p' \
    "$WORK/$name.log" | head -1)
  URL=http://localhost:$PORT
}

# stop_worker PID SECONDS: SIGTERM, then expects exit code 0 in time.
stop_worker() {
  kill -TERM "$1"
  local limit
  limit=$(bound "$2")
  timeout "$limit" tail --pid="$1" -f /dev/null || fail "worker $1 did not stop in $limit s"
  local rc=0
  wait "$1" || rc=$?
  ((rc == 0)) || fail "worker $1 exited with $rc"
}

# read_topic TOPIC COUNT SECONDS: prints the first COUNT values of TOPIC
# (all partitions), waiting for them.
read_topic() {
  timeout "$(bound "$3")" kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -c "$2" -q \
    -f '%s\n' || fail "fewer than $2 records on $1 within $3 s (or the test's budget)"
}

# wait_records TOPIC COUNT SECONDS: waits until TOPIC holds COUNT records.
wait_records() {
  timeout "$(bound "$3")" kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -c "$2" -q \
    -f '\n' >/dev/null || fail "fewer than $2 records on $1 within $3 s (or the test's budget)"
}

# read_all TOPIC: prints every value on TOPIC now, then exits.
read_all() {
  timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -e -q -f '%s\n'
}

# page_view_lines FROM TO PAGES: `user:json` lines for kcat -K: where view i
# is of page p(i*7 % PAGES) by user u(i % 13), keyed by user (so one page's
# views arrive on several partitions and go through the repartition).
page_view_lines() {
  awk -v from="$1" -v to="$2" -v pages="$3" 'BEGIN {
    for (i = from; i <= to; i++)
      printf "u%d:{\"id\": \"p%d\", \"user\": \"u%d\"}\n", i % 13, (i * 7) % pages, i % 13 }'
}

# page_view_counts FROM TO PAGES: the `"page" count` lines those views make.
page_view_counts() {
  page_view_lines "$@" | sed 's/.*"id": "\(p[0-9]*\)".*/\1/' | sort | uniq -c |
    awk '{print "\"" $2 "\"", $1}' | sort
}

# expect_changelog_counts TOPIC WANT SECONDS: waits until the last value of
# each key on TOPIC, as `key value` lines, equals the file WANT.
expect_changelog_counts() {
  local deadline=$((SECONDS + $(bound "$3")))
  until timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -e -q \
    -f '%k %s\n' | awk '{v[$1] = $2} END {for (k in v) print k, v[k]}' |
    sort >"$WORK/changelog" && cmp -s "$2" "$WORK/changelog"; do
    ((SECONDS < deadline)) || {
      diff "$2" "$WORK/changelog" | head -20 || true # diff exits 1: still fail() below, with the logs
      fail "the changelog $1 does not hold the exact counts"
    }
    sleep 1 # polling the changelog: the worker reports no completion event
  done
}

# expect_table_counts BIN DATADIR TABLE WANT: the table in a stopped
# worker's datadir, as `key value` lines, equals the file WANT.
expect_table_counts() {
  "$1" tables --datadir "$2" --dump "$3" |
    sed 's/.*"key": \("[^"]*"\), "value": \([0-9]*\)}/\1 \2/' | sort >"$WORK/table"
  cmp -s "$4" "$WORK/table" || {
    diff "$4" "$WORK/table" | head -20 || true # diff exits 1: still fail() below, with the logs
    fail "the table $3 in $2 does not hold the exact counts"
  }
}

# wait_feeder PID: waits for a background input producer, within the budget.
wait_feeder() {
  local deadline=$((SECONDS + $(bound 120)))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the input producer $1 did not finish"
    sleep 0.2 # polling a process that reports nothing
  done
  wait "$1" || fail "kcat could not produce the input"
}
