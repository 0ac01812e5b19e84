#!/usr/bin/env bash
# The live dashboard in a real browser: a page_views worker on faust-broker
# serves /dashboard; headless Chromium loads it, runs its script and dumps
# the DOM. The page logs nothing to the console (no script error, no failed
# request), the body gets data-ready="1", there is one lag row per
# partition, and each row's data-lag, end and committed cells are what the
# broker says: its end offset minus the group's committed offset, asked of
# the broker with python3-confluent-kafka. A screenshot lands in SCREENSHOT.
#   kafka_dashboard.sh FAUST_BROKER_BIN PAGE_VIEWS_BIN SCREENSHOT
set -euo pipefail
FAUST_BROKER_BIN=$1 PAGE_VIEWS=$2 SHOT=$3
source "$(dirname "$0")/kafka_lib.sh"
command -v chromium >/dev/null ||
  fail "chromium is not installed (scripts/install_deps.sh installs it)"
N=300

start_broker --partitions 4
export F_BROKER_SESSION_TIMEOUT=6
start_web_worker w1 "$PAGE_VIEWS" --broker "kafka://$BOOTSTRAP" \
  --datadir "$WORK/w1"
W1=$WORKER_PID
wait_log "$WORK/w1.log" 'recovery done' "$(scaled 60)"

page_view_lines 1 $N 10 | kcat -b "$BOOTSTRAP" -P -t page_views -K:
# Every view processed and its offset committed: the monitor's lag is 0 on
# every partition (the commit interval is a few seconds).
settled() {
  curl -sS -m 5 -o "$WORK/monitor.json" "$URL/" || return 1
  /usr/bin/python3 - "$WORK/monitor.json" "$N" <<'PY'
import json, sys
m, n = json.load(open(sys.argv[1])), int(sys.argv[2])
rows = [p for p in m["partitions"] if p["topic"] == "page_views"]
ok = (len(rows) == 4 and sum(p["end_offset"] for p in rows) == n
      and all(p["lag"] == 0 for p in rows))
sys.exit(0 if ok else 1)
PY
}
deadline=$((SECONDS + $(bound "$(scaled 60)")))
until settled; do
  ((SECONDS < deadline)) || fail "lag not 0 on every partition: $(cat "$WORK/monitor.json")"
  sleep 0.5 # polling the monitor: commits come on their interval
done

browser() {
  timeout "$(bound 60)" chromium --headless --no-sandbox --disable-gpu \
    --enable-logging=stderr --v=0 --virtual-time-budget=5000 "$@"
}
browser --dump-dom "$URL/dashboard" >"$WORK/dom.html" 2>"$WORK/chromium.log" ||
  fail "chromium did not load $URL/dashboard: $(tail -5 "$WORK/chromium.log")"
if grep -q ':CONSOLE' "$WORK/chromium.log"; then
  fail "the page wrote to the console: $(grep ':CONSOLE' "$WORK/chromium.log")"
fi
/usr/bin/python3 - "$WORK/dom.html" "$BOOTSTRAP" <<'PY' || fail "dashboard DOM: $(head -c 4000 "$WORK/dom.html")"
import sys
from html.parser import HTMLParser
from confluent_kafka import Consumer, TopicPartition

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready, self.rows, self.row, self.cell = None, [], None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.ready = a.get("data-ready")
        elif tag == "tr" and "data-topic" in a:
            self.row = {"attrs": a, "cells": []}
        elif tag == "td" and self.row is not None:
            self.cell = ""
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
    def handle_endtag(self, tag):
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row["cells"].append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

page = Page()
page.feed(open(sys.argv[1]).read())
assert page.ready == "1", f"data-ready is {page.ready!r}"
rows = {int(r["attrs"]["data-partition"]): r for r in page.rows
        if r["attrs"]["data-topic"] == "page_views"}
assert sorted(rows) == [0, 1, 2, 3], rows

# What the broker says: the group's committed offsets and the end offsets.
c = Consumer({"bootstrap.servers": sys.argv[2], "group.id": "page_views",
              "enable.auto.commit": False})
try:
    tps = [TopicPartition("page_views", p) for p in range(4)]
    committed = {t.partition: t.offset for t in c.committed(tps, timeout=10)}
    end = {p: c.get_watermark_offsets(TopicPartition("page_views", p),
                                      timeout=10)[1] for p in range(4)}
finally:
    c.close()
assert sum(end.values()) > 0, end
for p, r in rows.items():
    cells = r["cells"]  # topic, partition, read, committed, end, lag, ...
    assert int(r["attrs"]["data-lag"]) == end[p] - committed[p], (p, r, end, committed)
    assert int(cells[3]) == committed[p], (p, cells, committed)
    assert int(cells[4]) == end[p], (p, cells, end)
    assert cells[5] == r["attrs"]["data-lag"], (p, cells)
print("dashboard rows:", {p: r["attrs"]["data-lag"] for p, r in rows.items()},
      "end:", end, "committed:", committed)
PY

rm -f "$SHOT"
browser --window-size=1280,1000 --screenshot="$SHOT" "$URL/dashboard" \
  >/dev/null 2>>"$WORK/chromium.log" || fail "no screenshot"
[[ -s $SHOT ]] || fail "empty screenshot $SHOT"
stop_worker "$W1" "$(scaled 60)"
echo "dashboard OK (screenshot: $SHOT)"
