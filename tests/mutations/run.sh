#!/usr/bin/env bash
# Mutation check (outside CI): breaks one core guarantee at a time, rebuilds
# the test binary that covers it, runs the tests named for it, and prints
# one line per mutation:
#   caught  NAME  (suite: test case)
#   missed  NAME
# Exit 0: every mutation caught; 1: some missed; 2: the check could not run
# (a snippet no longer found once, a mutant that does not compile, a named
# test that fails or is gone on the unmutated tree, a restore that failed).
# Files are restored from saved copies (never `git checkout`: the working
# tree may hold uncommitted work) on success, failure and Ctrl-C; after a
# SIGKILL, `run.sh --restore` puts them back.
#
#   tests/mutations/run.sh [-B BUILD_DIR] [--all] [--only NAME]... [--list]
#                          [--restore] [--no-final-build]
# Do not edit the tree or build in BUILD_DIR while it runs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build
TABLE=$HERE/mutations.py
SELECT=() FINAL_BUILD=1 RESTORE_ONLY=0
while (($#)); do
  case $1 in
  -B) BUILD=$(cd "$2" && pwd); shift ;;
  --all) SELECT+=(--all) ;; # the optional mutations too
  --only) SELECT+=("--only=$2"); shift ;;
  --list) exec python3 "$TABLE" list --all ;;
  --restore) RESTORE_ONLY=1 ;;
  --no-final-build) FINAL_BUILD=0 ;;
  *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
JOURNAL=$BUILD/mutations # saved originals, logs
SAVED=$JOURNAL/saved
mkdir -p "$SAVED"
exec 9>"$JOURNAL/lock"
flock -n 9 || { echo "another mutation run holds $JOURNAL/lock" >&2; exit 2; }

# $SAVED/<path>: the original; <path>.sha (its hash), <path>.mutant.sha
# (the hash of what this run wrote).
hash_of() { sha256sum <"$1" | cut -d' ' -f1; }
restore_all() {
  local f rel status=0
  while IFS= read -r -d '' f; do
    rel=${f#"$SAVED/"}
    if [[ -f $f.mutant.sha && $(hash_of "$ROOT/$rel") != "$(cat "$f.mutant.sha")" ]]; then
      cp "$ROOT/$rel" "$JOURNAL/changed-during-run.${rel//\//_}"
      echo "WARNING: $rel was changed by someone during the run; that version is kept in $JOURNAL" >&2
      status=1
    fi
    cp "$f" "$ROOT/$rel" # plain cp: a new mtime, so ninja rebuilds it
    if [[ $(hash_of "$ROOT/$rel") != "$(cat "$f.sha")" ]]; then
      echo "ERROR: $rel not restored (original in $f)" >&2
      status=1
      continue
    fi
    rm -f "$f" "$f.sha" "$f.mutant.sha"
  done < <(find "$SAVED" -type f ! -name '*.sha' -print0)
  return $status
}
if ((RESTORE_ONLY)); then restore_all; exit; fi
if [[ -n $(find "$SAVED" -type f) ]]; then
  echo "a previous run left mutated files: run $0 --restore first" >&2
  exit 2
fi

TARGETS=()
finish() {
  local rc=$?
  trap - EXIT INT TERM
  restore_all || rc=2
  # Leave the binaries built from the real tree.
  if ((FINAL_BUILD && ${#TARGETS[@]})) &&
    ! ninja -C "$BUILD" "${TARGETS[@]}" >"$JOURNAL/final-build.log" 2>&1; then
    echo "ERROR: the restored tree does not build: $JOURNAL/final-build.log" >&2
    rc=2
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

python3 "$TABLE" check "$ROOT" >/dev/null || { python3 "$TABLE" check "$ROOT"; exit 2; }
mapfile -t ROWS < <(python3 "$TABLE" rows "${SELECT[@]}")
((${#ROWS[@]})) || { echo "no mutation selected" >&2; exit 2; }

# run_test SUITE NAME LOG: true if the test passed.
run_test() {
  local suite=$1 name=$2 log=$3
  if [[ $suite == ctest ]]; then
    ctest --test-dir "$BUILD" --no-tests=error \
      -R "^$(python3 "$TABLE" cmake-regex "$name")\$" >"$log" 2>&1
  else
    # Commas separate doctest filters: escaped as ctest's discovery does.
    # Exactly one test case must have run.
    timeout -k 10 300 "$BUILD/bin/${suite}_test" --no-colors \
      "--test-case=${name//,/\\,}" >"$log" 2>&1 && grep -Eq 'test cases: +1 \| +1 passed' "$log"
  fi
}
tests_of() { tr '\036' '\n' <<<"$1"; } # one "suite<US>name" a line

declare -A WANT=()
for row in "${ROWS[@]}"; do
  IFS=$'\t' read -r _ _ targets _ <<<"$row"
  for t in $targets; do WANT[$t]=1; done
done
TARGETS=("${!WANT[@]}")
echo "building ${TARGETS[*]} (unmutated)"
ninja -C "$BUILD" "${TARGETS[@]}" >"$JOURNAL/baseline-build.log" 2>&1 ||
  { echo "the unmutated tree does not build: $JOURNAL/baseline-build.log" >&2; exit 2; }

# Every named test must pass unmutated, or it would "catch" anything.
declare -A PASSED=()
for row in "${ROWS[@]}"; do
  IFS=$'\t' read -r _ _ _ tests <<<"$row"
  while IFS=$'\037' read -r suite name; do
    [[ -z $suite || -n ${PASSED["$suite:$name"]:-} ]] && continue
    run_test "$suite" "$name" "$JOURNAL/baseline-test.log" || {
      echo "baseline: '$suite: $name' fails or no longer exists unmutated" \
        "(see $JOURNAL/baseline-test.log)" >&2
      exit 2
    }
    PASSED["$suite:$name"]=1
  done < <(tests_of "$tests")
done

missed=0 broken=0
for row in "${ROWS[@]}"; do
  IFS=$'\t' read -r name file targets tests <<<"$row"
  start=$SECONDS
  mkdir -p "$(dirname "$SAVED/$file")"
  cp "$ROOT/$file" "$SAVED/$file"
  hash_of "$ROOT/$file" >"$SAVED/$file.sha"
  python3 "$TABLE" apply "$ROOT" "$name"
  hash_of "$ROOT/$file" >"$SAVED/$file.mutant.sha"
  status=missed detail=""
  # shellcheck disable=SC2086 # targets are words
  if ! ninja -C "$BUILD" $targets >"$JOURNAL/$name.build.log" 2>&1; then
    status=broken detail="the mutant does not compile: $JOURNAL/$name.build.log"
  else
    while IFS=$'\037' read -r suite test; do
      [[ -z $suite ]] && continue
      if ! run_test "$suite" "$test" "$JOURNAL/$name.test.log"; then
        status=caught detail="$suite: $test"
        break
      fi
    done < <(tests_of "$tests")
    [[ $status == missed && -z $tests ]] && detail="no test named for it"
  fi
  restore_all || broken=1
  case $status in missed) missed=1 ;; broken) broken=1 ;; esac
  echo "$status $name${detail:+ ($detail)} [$((SECONDS - start)) s]"
done
((broken)) && exit 2
((missed)) && exit 1
exit 0
