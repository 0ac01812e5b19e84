#!/usr/bin/env bash
# Standby placement: three page_views workers with one standby replica.
# Each table partition is followed by exactly one worker, never its owner,
# as `cluster --json` shows; the placement is computed from the members'
# ids so that the standby is where Kafka's range assignor moves the
# partition when a worker leaves. The owner of partition 0 is SIGKILLed:
# every partition that moves to another worker is recovered there from a
# warm standby (only the tail of its changelog read), and the counts stay
# exact. Prints the records replayed at the takeover and the time from the
# kill to the survivors' recovery done.
#   kafka_standby_placement.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"
export F_BROKER_SESSION_TIMEOUT=6
export F_TABLE_STANDBY_REPLICAS=1
# One changelog record per view: a cold takeover would replay thousands.
export F_TABLE_CACHE_MAX_BYTES=0
PAGES=40
N=20000
CHANGELOG=page_views-page_views-changelog

# placement: reads a view; prints "members=w1,w2,w3 placement=exact" when
# every page_views partition has an owner and exactly one standby (not the
# owner) among three members (or what is wrong), and "PARTITION OWNER
# STANDBY" lines on fd 3.
placement() {
  python3 -c '
import json, sys
changelog = sys.argv[1]
v = json.load(sys.stdin)
ws = v["workers"]
owner, standbys = {}, {}
for w in ws:
    for p in w["active"]:
        if p["topic"] == "page_views":
            owner[p["partition"]] = w["worker"]
    for s in w["standby"]:
        if s["topic"] == changelog:
            standbys.setdefault(s["partition"], []).append(w["worker"])
problems = []
for p in range(4):
    if p not in owner:
        problems.append("%d:no-owner" % p)
    elif len(standbys.get(p, [])) != 1 or standbys[p][0] == owner[p]:
        problems.append("%d:owner=%s,standbys=%s" % (p, owner[p], "+".join(standbys.get(p, []))))
print("members=%s placement=%s" % (",".join(sorted(w["worker"] for w in ws)),
      "exact" if not problems else ";".join(problems)))
with open("/dev/fd/3", "w") as f:
    for p in sorted(owner):
        f.write("%d %s %s\n" % (p, owner[p], (standbys.get(p) or ["-"])[0]))
' "$CHANGELOG"
}

# wait_placement SECONDS: until the view's placement is exact for w1-w3;
# leaves the "PARTITION OWNER STANDBY" lines in $WORK/placement.
wait_placement() {
  local limit got=""
  limit=$(bound "$1")
  local end=$((SECONDS + limit))
  while ((SECONDS < end)); do
    got=$("$PAGE_VIEWS" cluster --broker "kafka://$BOOTSTRAP" --json \
      2>>"$WORK/cli.log" | placement 3>"$WORK/placement") || got="(no view)"
    [[ $got == "members=w1,w2,w3 placement=exact" ]] && return 0
    sleep 0.5 # polling the view, a topic read by a client process
  done
  fail "standby placement: '$got', expected exact placement within $limit s"
}

start_broker --partitions 4
declare -A pid
for w in w1 w2 w3; do
  start_worker "$w" "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
    --datadir "$WORK/$w" --worker-id "$w"
  pid[$w]=$WORKER_PID
done
wait_placement "$(scaled 90)"
cat "$WORK/placement"

page_view_lines 1 "$N" $PAGES | kcat -b "$BOOTSTRAP" -P -t page_views -K: ||
  fail "kcat could not produce the input"
page_view_counts 1 "$N" $PAGES >"$WORK/want"
expect_changelog_counts "$CHANGELOG" "$WORK/want" "$(scaled 120)"
# The standbys have read what the owners wrote (they poll every 100 ms):
# the placement is still the one the takeover will meet.
wait_placement "$(scaled 30)"

victim=$(awk '$1 == 0 {print $2}' "$WORK/placement")
[[ -n $victim ]] || fail "no owner of partition 0"
declare -A size from
for p in 0 1 2 3; do
  size[$p]=$(timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -C -t "$CHANGELOG" \
    -p "$p" -o beginning -e -q -f '\n' | wc -l)
done
survivors=()
for w in w1 w2 w3; do
  [[ $w == "$victim" ]] && continue
  survivors+=("$w")
  from[$w]=$(wc -l <"$WORK/$w.log")
done
killed_at=$(date +%s.%N)
kill -9 "${pid[$victim]}"
wait "${pid[$victim]}" 2>/dev/null || true

# Both survivors rebalance (range: the victim's partitions and a shift
# between them) and finish recovering what they were given.
for w in "${survivors[@]}"; do
  deadline=$((SECONDS + $(bound "$(scaled 90)")))
  until tail -n +"$((from[$w] + 1))" "$WORK/$w.log" |
    sed -n '/table partitions assigned here:/,$p' | grep -q 'recovery done'; do
    ((SECONDS < deadline)) || fail "$w did not recover its new partitions after $victim was killed"
    sleep 0.2 # polling the survivor's log for its recovery
  done
done
recovered_at=$(date +%s.%N)

# Every partition recovered by a survivor after the kill was warm: only
# the tail of its changelog read.
moved=0 replayed=0 total=0
for w in "${survivors[@]}"; do
  tail -n +"$((from[$w] + 1))" "$WORK/$w.log" >"$WORK/$w.takeover"
  for p in 0 1 2 3; do
    read=$({ grep "recovered table 'page_views' partition $p: " \
      "$WORK/$w.takeover" || true; } | tail -n 1 |
      sed -n 's/.*: \([0-9]*\) changelog records read.*/\1/p')
    [[ -n $read ]] || continue
    owner=$(awk -v p="$p" '$1 == p {print $2}' "$WORK/placement")
    [[ $owner == "$w" ]] && continue # its own again (an eager rebalance)
    standby=$(awk -v p="$p" '$1 == p {print $3}' "$WORK/placement")
    echo "partition $p: $owner -> $w (its standby: $standby): read $read of ${size[$p]} changelog records"
    [[ $standby == "$w" ]] || fail "partition $p moved to $w, not to its standby $standby"
    ((read < size[$p] / 20)) ||
      fail "partition $p: $w read $read of ${size[$p]} changelog records: not warm"
    moved=$((moved + 1)) replayed=$((replayed + read)) total=$((total + size[$p]))
  done
done
((moved > 0)) || fail "no partition moved to a survivor"
# The owners pushed their changelog records to the standbys over the
# cluster: the standbys that took over applied records as pushed (each
# says so, with how far behind the owner its records were, when it takes
# the partition over).
grep -h "standby table 'page_views'" "$WORK"/*.takeover | sed 's/^.*\] //'
pushed=$(sed -n "s/.*standby table 'page_views' partition [0-9]*: [0-9]* changelog records applied, .*; \([0-9]*\) as pushed.*/\1/p" \
  "$WORK"/*.takeover | awk '{s += $1} END {print s + 0}')
((pushed > 0)) || fail "the standbys that took over applied no pushed changelog records"

page_view_lines $((N + 1)) $((N + N / 4)) $PAGES |
  kcat -b "$BOOTSTRAP" -P -t page_views -K: || fail "kcat could not produce the input"
page_view_counts 1 $((N + N / 4)) $PAGES >"$WORK/want"
expect_changelog_counts "$CHANGELOG" "$WORK/want" "$(scaled 120)"
echo "ok: one standby per partition; $moved partitions moved, replaying $replayed" \
  "of $total changelog records; kill to recovery done" \
  "$(awk -v a="$killed_at" -v b="$recovered_at" 'BEGIN { printf "%.1f", b - a }') s;" \
  "counts exact"
