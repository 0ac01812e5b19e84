#!/usr/bin/env bash
# The topics the app creates, as it asks for them: partitions, replication
# factor (F_TOPIC_REPLICATION_FACTOR, Faust's topic_replication_factor) and
# configs as Faust declares them (a table's changelog compacted; the reply
# topic deleting after reply_expires, one day). On the embedded broker the
# app asks through its admin topic, read here with kcat, because
# librdkafka's mock cluster has no CreateTopics: it applies the partition
# count only (every topic gets its default replication, the number of
# brokers, and no configs; kcat -L shows that too).
#   kafka_topic_replication.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2
source "$(dirname "$0")/kafka_lib.sh"

start_broker --brokers 3 --partitions 4
F_TOPIC_REPLICATION_FACTOR=2 start_worker w "$PAGE_VIEWS" \
  --broker "kafka://$BOOTSTRAP" --datadir "$WORK/d"
wait_log "$WORK/w.log" 'recovery done' "$(scaled 60)"
timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -C -t __faust_embedded_admin \
  -o beginning -e -q >"$WORK/requests"

# request_for TOPIC_REGEX: the creation request of the topic.
request_for() {
  grep -E "\"create_topic\":\"$1\"" "$WORK/requests" ||
    fail "no creation request for $1: $(cat "$WORK/requests")"
}
expect_request() {
  [[ $(request_for "$1") == "$2" ]] ||
    fail "the app asked for $(request_for "$1"), not $2"
}
expect_request page_views-page_views-changelog \
  '{"create_topic":"page_views-page_views-changelog","partitions":4,"replication_factor":2,"config":{"cleanup.policy":"compact"}}'
repartition=$(request_for 'page_views-[^"]*-repartition')
[[ $repartition =~ ^\{\"create_topic\":\"page_views-[^\"]*-repartition\",\"partitions\":4,\"replication_factor\":2\}$ ]] ||
  fail "the repartition topic was asked for as $repartition"
reply=$(request_for 'f-reply-[^"]*')
[[ $reply =~ \"partitions\":1,\"replication_factor\":2,\"config\":\{\"cleanup.policy\":\"delete\",\"retention.ms\":\"86400000\"\}\}$ ]] ||
  fail "the reply topic was asked for as $reply"
# What the broker made of it: the partition counts.
partitions=$(timeout "$(bound 30)" kcat -b "$BOOTSTRAP" -L -t page_views-page_views-changelog |
  grep -c 'partition [0-9]*,')
((partitions == 4)) || fail "the changelog has $partitions partitions"
stop_worker "$WORKER_PID" "$(scaled 30)"
echo "ok: the app asks for its topics with 2 replicas and Faust's configs"
