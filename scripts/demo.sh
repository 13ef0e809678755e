#!/usr/bin/env bash
# Run the richest lab playbook (multihop, else bridge) on this machine, show
# its proof, then tear it down with -e lab_state=absent (also on failure).
#   scripts/demo.sh [PLAYBOOK]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: the lab needs root (network namespaces, links, routes): run it as root, e.g. sudo make demo" >&2
  exit 1
fi
export PATH=$PWD/.venv/bin:$PATH
playbook=${1:-}
if [ -z "$playbook" ]; then
  for candidate in playbooks/multihop.yml playbooks/bridge.yml; do
    if [ -f "$candidate" ]; then playbook=$candidate; break; fi
  done
fi
[ -n "$playbook" ] || { echo "demo: neither playbooks/multihop.yml nor playbooks/bridge.yml exists" >&2; exit 1; }

teardown() {
  echo "=== demo: tearing down $playbook (-e lab_state=absent)"
  ansible-playbook "$playbook" -e lab_state=absent
}
on_exit() {
  local status=$?
  trap - EXIT
  teardown || status=1
  exit "$status"
}
trap on_exit EXIT
echo "=== demo: building $playbook"
ansible-playbook "$playbook"
