#!/usr/bin/env bash
# Print the last failed tasks of ansible/molecule logs, short: the task's name,
# its origin and its failed results, leaving out the tasks that were ignored.
#   scripts/failure-digest.sh LOG...
# CI keeps only the end of `make test`'s output; run-suites.sh prints this
# there, so that a failure can be read without the whole log.
set -uo pipefail
for log in "$@"; do
  [ -f "$log" ] || continue
  echo "--- $log"
  awk '
    # The failed results of a task are kept once it is over and was not
    # ignored ("...ignoring" follows the items of a loop too). The last three are
    # printed: expected failures (rescued, in the bad-input tests) come first.
    function close_result() { if (block != "") taskbuf = taskbuf (taskbuf != "" ? "\n" : "") block; block = "" }
    function close_task() { close_result(); if (taskbuf != "") kept[n++] = taskbuf; taskbuf = "" }
    /^TASK \[/ { close_task(); task = $0; origin = ""; inres = 0; next }
    /^Origin: / { origin = $0; if (errlines) errbuf = errbuf "\n" $0; next }
    # An error outside a task result (a YAML error, a missing file): shown
    # when no task failed.
    /^(\[ERROR\]: |ERROR! )/ { if (errbuf == "") { errbuf = substr($0, 1, 300); errlines = 8 } next }
    errlines > 0 { errlines--; if ($0 != "") errbuf = errbuf "\n" substr($0, 1, 300) }
    /^(fatal|failed): \[/ {
      close_result()
      block = (taskbuf == "" ? substr(task, 1, 200) (origin != "" ? "\n" origin : "") "\n" : "") substr($0, 1, 300)
      inres = 1; lines = 0; next
    }
    inres && /^ / { if (++lines <= 12) block = block "\n" substr($0, 1, 300); next }
    /^\.\.\.ignoring/ { block = ""; taskbuf = ""; inres = 0; next }
    { inres = 0 }
    END {
      close_task()
      for (i = (n > 3 ? n - 3 : 0); i < n; i++) print kept[i]
      if (n == 0 && errbuf != "") { print errbuf; n = 1 }
      exit n == 0
    }
  ' "$log" || { echo "(no failed task in it; its last lines:)"; tail -n 8 "$log" | cut -c1-300; }
done
