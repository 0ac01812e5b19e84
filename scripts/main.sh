#!/usr/bin/env bash
# The main job: install what is missing, build, and run the page_views app
# (the manual's Tables tutorial) on the embedded Kafka broker, then the
# other examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh release
echo "== page_views: 100 views repartitioned by page and counted in a table (embedded broker)"
build/bin/page_views
echo "== adding: an agent on Kafka topics (embedded broker), asked three sums"
build/bin/adding
echo "== agent_example: adding.ask(Add{4, 4}), then join([1+2, 3+4, 5+6])"
build/bin/agent_example
echo "== group_by: withdrawals repartitioned by account"
build/bin/group_by
