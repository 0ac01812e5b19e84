#!/usr/bin/env bash
# Runs every benchmark; prints one BENCH line per figure.
#   bench/run_all.sh [--quick]    (--quick: smaller inputs, for CI smoke runs)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FAUST_BIN:-$here/build/bin}
# Benches run several apps and workers at once: web ports the system picks.
export F_WEB_PORT=${F_WEB_PORT:-0}
if [[ ! -x $bin/page_views_e2e_bench ]]; then
  cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$here/build" --target agent_throughput_bench ask_latency_bench ask_local_bench ask_kafka_bench \
    ask_cluster_bench \
    kafka_consume_bench kafka_pipeline_bench table_update_bench \
    table_recovery_bench page_views_e2e_bench page_views page_views_raw >/dev/null
fi
# page_views_e2e needs Debian's python3-confluent-kafka for its Python
# baseline (it says so and skips that baseline without it).
for b in agent_throughput_bench ask_latency_bench ask_local_bench ask_kafka_bench ask_cluster_bench kafka_consume_bench \
  kafka_pipeline_bench table_update_bench table_recovery_bench \
  page_views_e2e_bench; do
  "$bin/$b" "$@"
done
# Worker processes on a faust-broker, driven by a script.
"$here/bench/standby_staleness.sh" "$@"
