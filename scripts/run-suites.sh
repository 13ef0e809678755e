#!/usr/bin/env bash
# Run test suites (make targets) with a banner each, stop at the first failure
# (unless KEEP_GOING=1) and print how long each one took.
#   scripts/run-suites.sh units sanity integration lint molecule build
#
# The suites named in BACKGROUND_SUITES (default: molecule) start at once in
# the background, their output going to .build/logs/SUITE.log, while the others
# run one after the other here; their log is printed when they end. Molecule
# waits on containers and the other suites on namespaces of this machine, so
# the two lanes overlap well and `make test` stays far inside CI's time budget.
# BACKGROUND_SUITES= (empty) runs everything in order. The foreground suites'
# output is kept in .build/logs/SUITE.log too. CI keeps only the end of this
# output, so after the summary come the failed tasks of each failed suite
# (SUITE.digest, written by the integration and molecule runners) or the end
# of its log.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# Plain output when captured by CI or a log file (molecule, ansible, ansible-lint honour it).
[ -t 1 ] || export NO_COLOR=1
background=${BACKGROUND_SUITES-molecule}
summary=()
failed=()
total_start=$SECONDS
logs=.build/logs
mkdir -p "$logs"
rm -f "$logs"/*.digest

banner() {
  echo
  echo "################################################################"
  echo "################ $1  ($(date -u +%H:%M:%S))"
  echo "################################################################"
}
record() {  # SUITE SECONDS STATUS
  if [ "$3" -eq 0 ]; then
    summary+=("$(printf '%-12s ok      %4ss' "$1" "$2")")
  else
    summary+=("$(printf '%-12s FAILED  %4ss' "$1" "$2")")
    failed+=("$1")
  fi
}
report() {
  echo
  echo "################ summary"
  printf '  %s\n' "${summary[@]}"
  echo "  total: $((SECONDS - total_start))s"
}

declare -A bg_pid=() bg_start=()
foreground=()
for suite in "$@"; do
  if [[ " $background " == *" $suite "* ]]; then
    echo "################ $suite: started in the background ($(date -u +%H:%M:%S)), log in $logs/$suite.log"
    bg_start[$suite]=$SECONDS
    make --no-print-directory "$suite" SKIP_SETUP=1 >"$logs/$suite.log" 2>&1 </dev/null &
    bg_pid[$suite]=$!
  else
    foreground+=("$suite")
  fi
done

for suite in "${foreground[@]}"; do
  banner "$suite"
  start=$SECONDS
  make --no-print-directory "$suite" SKIP_SETUP=1 2>&1 | tee "$logs/$suite.log"
  status=${PIPESTATUS[0]}
  record "$suite" $((SECONDS - start)) "$status"
  if [ "$status" -ne 0 ] && [ "${KEEP_GOING:-0}" != 1 ]; then
    break
  fi
done

# Background suites are always waited for, so that their containers are
# destroyed before this script ends, even when a foreground suite failed.
for suite in "${!bg_pid[@]}"; do
  wait "${bg_pid[$suite]}"
  status=$?
  banner "$suite (ran in the background; its log follows)"
  cat "$logs/$suite.log"
  record "$suite" $((SECONDS - bg_start[$suite])) $status
done

report
if [ ${#failed[@]} -gt 0 ]; then
  # CI shows the end of this output: what failed comes last, short.
  for suite in "${failed[@]}"; do
    echo "################ $suite: what failed (whole log above and in $logs/)"
    if [ -f "$logs/$suite.digest" ]; then cat "$logs/$suite.digest"; else tail -n 20 "$logs/$suite.log"; fi
  done
  echo "################ make test: FAILED in ${failed[*]}"
  exit 1
fi
echo "################ make test: all suites passed"
