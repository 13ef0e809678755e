#!/usr/bin/env bash
# A lab's output ends with its proof and reads cleanly: build and tear down
# the multihop lab (the one `make demo` shows) and the basic_pair lab (the
# shared proof task file), under their own namespace prefix, and fail on
# "skipping" lines, Python reprs (['...'], {'...'}), proof lines folded by the
# yaml result format, or a teardown that ends in anything but the removal.
#   scripts/check-lab-output.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_CONFIG=$PWD/ansible.cfg NO_COLOR=1
tmp=$(mktemp -d)
prefix=lnpout$$-
cleanup() {
  for lab in multihop basic_pair; do
    ansible-playbook "playbooks/$lab.yml" -e lab_prefix="$prefix" -e lab_state=absent >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "check-lab-output: $1 (output in $2):" >&2; cat "$2" >&2; exit 1; }
last_task() { grep '^TASK \[' "$1" | tail -n 1 | sed 's/^TASK \[\(.*\)\] \**$/\1/'; }
clean() {  # OUTPUT
  ! grep -q '^skipping:' "$1" || fail "skipping lines in the output" "$1"
  ! grep -qE "\[u?'|\{u?'" "$1" || fail "a Python repr in the output" "$1"
}

# LAB  TASK-THAT-SHOWS-THE-PROOF  LAST-TASK-OF-THE-BUILD  LAST-TASK-OF-THE-TEARDOWN
check() {
  local lab=$1 show=$2 build_last=$3 remove_last=$4 out=$tmp/$1.txt
  ansible-playbook "playbooks/$lab.yml" -e lab_prefix="$prefix" >"$out" 2>&1 || fail "$lab failed" "$out"
  clean "$out"
  [ "$(last_task "$out")" = "$build_last" ] || fail "$lab: the output does not end with the proof ('$build_last')" "$out"
  # The proof is one block of lines (|-), each line whole: the yaml result
  # format folds long list items and quoted strings, never block scalars.
  grep -A1 "^TASK \[$show\]" "$out" >/dev/null || fail "$lab: no task '$show'" "$out"
  sed -n "/^TASK \[$show\]/,/^\$/p" "$out" | grep -q '^    msg: |-$' || fail "$lab: the proof is not one block of lines" "$out"
  ansible-playbook "playbooks/$lab.yml" -e lab_prefix="$prefix" -e lab_state=absent >"$out" 2>&1 || fail "$lab teardown failed" "$out"
  clean "$out"
  [ "$(last_task "$out")" = "$remove_last" ] || fail "$lab: the teardown output does not end with the removal" "$out"
  echo "check-lab-output: $lab: the proof ends the build, the removal ends the teardown, no skipping lines or reprs"
}
check multihop "Show the paths" "Show the paths" "Multihop"
check basic_pair "Show the proof" "Show the proof" "Basic pair"
