#!/usr/bin/env bash
# The app's `send` command with --key, --partition and --repeat (Faust's
# faust/cli/send.py): each send prints its record's metadata as JSON; a key
# picks the partition Kafka's murmur2 gives it (checked against kcat's own
# murmur2 partitioner, a client we did not write), --partition overrides
# it, --repeat sends N records; the agent gets them all.
#   kafka_cli_send.sh FAUST_BROKER_BIN ADDING_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 ADDING=$2
source "$(dirname "$0")/kafka_lib.sh"

start_broker --partitions 4 --topic probe:4
start_worker w "$ADDING" --broker "kafka://$BOOTSTRAP"
wait_log "$WORK/w.log" 'partitions assigned' "$(scaled 30)"

# Where kcat's murmur2 puts key k7 on a 4-partition topic.
echo 'k7:x' | kcat -b "$BOOTSTRAP" -P -t probe -K: -X topic.partitioner=murmur2_random
want=$(timeout 30 kcat -b "$BOOTSTRAP" -C -t probe -o beginning -c 1 -q -f '%p\n')

# field NAME LINE: a number field of a metadata line.
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }

timeout 30 "$ADDING" send adding '{"a": 7, "b": 0}' --key k7 --repeat 3 \
  --broker "kafka://$BOOTSTRAP" >"$WORK/k.out" 2>"$WORK/k.log" || fail "send --repeat failed"
(($(wc -l <"$WORK/k.out") == 3)) || fail "send --repeat 3 printed $(wc -l <"$WORK/k.out") lines"
first=""
while read -r line; do
  [[ $(field partition "$line") == "$want" ]] ||
    fail "key k7 went to partition $(field partition "$line"), murmur2 says $want: $line"
  offset=$(field offset "$line")
  [[ -z $first ]] && first=$offset
done <"$WORK/k.out"
((offset == first + 2)) || fail "the three records are not consecutive: $(cat "$WORK/k.out")"
got=$(timeout 30 kcat -b "$BOOTSTRAP" -C -t adding -p "$want" -o "$first" -c 3 -q -f '%k %s\n')
[[ $got == "$(printf 'k7 {"a": 7, "b": 0}\n%.0s' 1 2 3)" ]] ||
  fail "the records sent are not what was asked: $got"

# --partition beats the key.
other=$(((want + 1) % 4))
line=$(timeout 30 "$ADDING" send adding '{"a": 8, "b": 0}' --key k7 --partition "$other" \
  --broker "kafka://$BOOTSTRAP" 2>>"$WORK/k.log") || fail "send --partition failed"
[[ $(field partition "$line") == "$other" ]] || fail "send --partition $other printed: $line"
got=$(timeout 30 kcat -b "$BOOTSTRAP" -C -t adding -p "$other" -o "$(field offset "$line")" \
  -c 1 -q -f '%k %s')
[[ $got == 'k7 {"a": 8, "b": 0}' ]] || fail "the record on partition $other is: $got"

# The agent got all four.
[[ $(read_topic adding-results 4 "$(scaled 30)" | sort | tr '\n' ' ') == "7 7 7 8 " ]] ||
  fail "the agent's results differ: $(read_all adding-results | tr '\n' ' ')"
# A repeat count that is not positive is a usage error.
rc=0
timeout 30 "$ADDING" send adding '{"a": 1, "b": 0}' --repeat 0 \
  --broker "kafka://$BOOTSTRAP" >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "send --repeat 0 exited with $rc, not 2"
stop_worker "$WORKER_PID" "$(scaled 30)"
echo "ok: send --key (partition $want, as murmur2), --repeat 3, --partition $other"
