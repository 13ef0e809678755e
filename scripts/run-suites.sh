#!/usr/bin/env bash
# Run test suites (make targets) in order with a banner each, stop at the
# first failure (unless KEEP_GOING=1) and print how long each one took.
#   scripts/run-suites.sh units sanity integration lint molecule build
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# Plain output when captured by CI or a log file (molecule, ansible, ansible-lint honour it).
[ -t 1 ] || export NO_COLOR=1
summary=()
failed=()
total_start=$SECONDS
report() {
  echo
  echo "################ summary"
  printf '  %s\n' "${summary[@]}"
  echo "  total: $((SECONDS - total_start))s"
}
for suite in "$@"; do
  echo
  echo "################################################################"
  echo "################ $suite  ($(date -u +%H:%M:%S))"
  echo "################################################################"
  start=$SECONDS
  if make --no-print-directory "$suite" SKIP_SETUP=1; then
    summary+=("$(printf '%-12s ok      %4ss' "$suite" $((SECONDS - start)))")
  else
    summary+=("$(printf '%-12s FAILED  %4ss' "$suite" $((SECONDS - start)))")
    failed+=("$suite")
    if [ "${KEEP_GOING:-0}" != 1 ]; then
      report
      echo "################ make test: FAILED in $suite"
      exit 1
    fi
  fi
done
report
if [ ${#failed[@]} -gt 0 ]; then
  echo "################ make test: FAILED in ${failed[*]}"
  exit 1
fi
echo "################ make test: all suites passed"
