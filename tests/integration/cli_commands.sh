#!/usr/bin/env bash
# The command line without a broker, on the page_views example: `models`,
# `model`, `tables` (listing), `reset`, each with the exit code a user
# scripts against, and the settings' precedence (command line > FAUST_* >
# F_* > the code > Faust's defaults). Column names and the `*` of required
# fields are Faust's (faust/cli/models.py, model.py, tables.py); the values
# come from examples/page_views.cpp's declarations.
#   cli_commands.sh PAGE_VIEWS_BIN
set -euo pipefail
# Apps serve their web views on ports the system picks (tests run at once).
export F_WEB_PORT=${F_WEB_PORT:-0}
PV=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset F_DATADIR FAUST_DATADIR F_TOPIC_PARTITIONS FAUST_TOPIC_PARTITIONS
fail() { echo "FAIL: $*"; exit 1; }
tab=$'\t'

# expect_output WANT ARGS...: runs page_views ARGS, which must exit 0 and
# print exactly WANT.
expect_output() {
  local want=$1 got
  shift
  got=$(timeout 30 "$PV" "$@") || fail "page_views $* exited with $?"
  [[ $got == "$want" ]] || fail "page_views $* printed:
$got
instead of:
$want"
}

# agents, models, model and tables print Faust's columns and, with --json,
# what Faust's json.dumps prints.
expect_output "Agents
name${tab}topic${tab}help
@count_page_views${tab}page_views${tab}Count page views by page id" agents
expect_output '[{"name": "@count_page_views", "topic": "page_views", "help": "Count page views by page id"}]' \
  agents --json
expect_output "Models
name${tab}help
page_views.PageView${tab}<N/A>" models
expect_output '[{"name": "page_views.PageView", "help": "<N/A>"}]' models --json
# A model by its short name or its namespace.
for name in PageView page_views.PageView; do
  expect_output "page_views.PageView
field${tab}type${tab}default*
id${tab}str${tab}*
user${tab}str${tab}*" model "$name"
done
expect_output '[{"field": "id", "type": "str", "default*": "*"}, {"field": "user", "type": "str", "default*": "*"}]' \
  model PageView --json
rc=0
timeout 30 "$PV" model Nope >/dev/null 2>"$WORK/err" || rc=$?
((rc == 2)) || fail "model Nope exited with $rc, not 2"
grep -q "No model named 'Nope'" "$WORK/err" || fail "model Nope said: $(cat "$WORK/err")"

# tables: a datadir without stores holds 0 keys.
expect_output "Tables
name${tab}help${tab}partitions${tab}store${tab}keys${tab}changelog
page_views${tab}Page views by page id${tab}4${tab}rocksdb://${tab}0${tab}page_views-page_views-changelog" \
  tables --datadir "$WORK/none"
expect_output '[{"name": "page_views", "help": "Page views by page id", "partitions": 4, "store": "rocksdb://", "keys": 0, "changelog": "page_views-page_views-changelog"}]' \
  tables --datadir "$WORK/none" --json
# Faust's global options go before the subcommand (and still work after it).
expect_output '[{"name": "@count_page_views", "topic": "page_views", "help": "Count page views by page id"}]' \
  --json agents
expect_output "nothing to reset: $WORK/g does not exist" -D "$WORK/g" -l crit reset
expect_output "nothing to reset: $WORK/g does not exist" --datadir "$WORK/g" -q reset --loglevel warn
expect_output "nothing to reset: $WORK/g does not exist" --no-color --debug reset -D "$WORK/g"
[[ $(timeout 30 "$PV" --version) == "faust-cpp "*", app 'page_views'" ]] ||
  fail "--version printed: $(timeout 30 "$PV" --version)"

# reset deletes the datadir (the filesystem says whether it did).
mkdir -p "$WORK/d/v1/tables" && touch "$WORK/d/v1/tables/x"
expect_output "removed $WORK/d (4 files and directories)" reset --datadir "$WORK/d"
[[ ! -e $WORK/d ]] || fail "reset left $WORK/d"
expect_output "nothing to reset: $WORK/d does not exist" reset --datadir "$WORK/d"

# Precedence, seen through which directory reset removes...
mkdir -p "$WORK/cli" "$WORK/faust" "$WORK/f"
export FAUST_DATADIR=$WORK/faust F_DATADIR=$WORK/f
expect_output "removed $WORK/cli (1 files and directories)" reset --datadir "$WORK/cli"
expect_output "removed $WORK/faust (1 files and directories)" reset
unset FAUST_DATADIR
expect_output "removed $WORK/f (1 files and directories)" reset
unset F_DATADIR
# ...the code does not set it: Faust's default, {appid}-data.
expect_output "nothing to reset: page_views-data does not exist" reset
# ...and through the partitions of the table's topics (the code sets 4).
F_TOPIC_PARTITIONS=6 expect_output "$(printf 'Tables\nname\thelp\tpartitions\tstore\tkeys\tchangelog\npage_views\tPage views by page id\t6\trocksdb://\t0\tpage_views-page_views-changelog')" \
  tables --datadir "$WORK/none"
F_TOPIC_PARTITIONS=6 FAUST_TOPIC_PARTITIONS=5 expect_output "$(printf 'Tables\nname\thelp\tpartitions\tstore\tkeys\tchangelog\npage_views\tPage views by page id\t5\trocksdb://\t0\tpage_views-page_views-changelog')" \
  tables --datadir "$WORK/none"
# A bad value is a usage error: exit code 2, the variable named.
rc=0
F_TOPIC_PARTITIONS=x timeout 30 "$PV" tables >/dev/null 2>"$WORK/err" || rc=$?
((rc == 2)) || fail "a bad F_TOPIC_PARTITIONS gave exit code $rc, not 2"
grep -q "environment variable F_TOPIC_PARTITIONS='x': expected an integer" "$WORK/err" ||
  fail "a bad F_TOPIC_PARTITIONS said: $(cat "$WORK/err")"
# So is a bad command line: exit code 2 (click's) and one line saying why.
for bad in "tables --bogus" "nosuchcommand" "send" "-l loud reset" "worker -p x"; do
  rc=0
  # shellcheck disable=SC2086 # words of the command line
  timeout 30 "$PV" $bad >/dev/null 2>"$WORK/err" || rc=$?
  ((rc == 2)) || fail "page_views $bad exited with $rc, not 2"
  [[ $(wc -l <"$WORK/err") == 1 && $(cat "$WORK/err") == Error:* ]] ||
    fail "page_views $bad said: $(cat "$WORK/err")"
done
timeout 30 "$PV" --help | grep -q '^Subcommands:' || fail "--help failed"
echo "ok: models, model, tables, reset and settings precedence on the command line"
