#!/usr/bin/env bash
# Run molecule scenarios (every directory under molecule/ with a molecule.yml,
# except _shared) in privileged podman containers of the locally built image.
#   scripts/molecule.sh [SCENARIO...]          `molecule test` each, MOLECULE_JOBS (2) at a time;
#                                              no new one starts after a failure (KEEP_GOING=1: they all run)
#   MOLECULE_COMMAND=converge scripts/molecule.sh NAME   another molecule command
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH=$root/.venv/bin:$PATH
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/molecule/_shared/containers.conf}
# containers.podman for the driver, then the checkout as linuxnet.plumbing
# (collections/ansible_collections/linuxnet/plumbing -> ../../..).
export ANSIBLE_COLLECTIONS_PATH=$root/.build/collections:$root/collections
export MOLECULE_NO_LOG=${MOLECULE_NO_LOG:-false}
command=${MOLECULE_COMMAND:-test}

if [ $# -gt 0 ]; then scenarios=("$@"); else
  mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml \
    -not -path 'molecule/_shared/*' -printf '%h\n' | sed 's|^molecule/||' | sort)
fi
if [ ${#scenarios[@]} -eq 0 ]; then
  echo "molecule: no scenarios under molecule/ yet"
  exit 0
fi

scripts/build-test-image.sh
# The fleet images (base list + molecule/_shared/fleet-*-packages.txt) that the
# chosen scenarios name (fleet and the remediation playbooks' scenarios).
for variant in $(for s in "${scenarios[@]}"; do
    sed -n 's|^ *image: localhost/linuxnet-\(fleet-[a-z]*\)$|\1|p' "molecule/$s/molecule.yml" 2>/dev/null
  done | sort -u); do
  scripts/build-test-image.sh "$variant"
done
scripts/fetch-podman-collection.sh

# MOLECULE_JOBS scenarios run at the same time (default 2), each with its own
# containers; its output goes to .build/logs/molecule-SCENARIO.log and is
# printed whole when it ends. The longest scenarios start first so that the
# lanes end together. After a failure no new scenario starts.
jobs=${MOLECULE_JOBS:-2}
first="fleet vpn_split_tunnel dns_server route_metric"
ordered=()
for s in $first; do
  printf '%s\n' "${scenarios[@]}" | grep -qx "$s" && ordered+=("$s")
done
for s in "${scenarios[@]}"; do
  [[ " $first " == *" $s "* ]] || ordered+=("$s")
done
for s in "${ordered[@]}"; do
  [ -f "molecule/$s/molecule.yml" ] || { echo "molecule: no scenario molecule/$s" >&2; exit 2; }
done
logs=.build/logs
# podman's netavark turns the host's IPv4 forwarding on when it starts a
# container on a bridge network (the multihost scenario's underlay) and never
# turns it off; new namespaces copy that setting. Put back what we found.
forwarding_before=$(cat /proc/sys/net/ipv4/ip_forward)
restore_forwarding() {
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != "$forwarding_before" ]; then
    echo "molecule: the host's net.ipv4.ip_forward back to $forwarding_before (a podman bridge network had changed it)"
    echo "$forwarding_before" >/proc/sys/net/ipv4/ip_forward
  fi
}
trap restore_forwarding EXIT
mkdir -p "$logs"

run_one() {  # SCENARIO: molecule COMMAND for it; prints its log and a result line
  local s=$1 start=$SECONDS status=0
  # One run per scenario at a time on this machine (the container name is
  # per scenario, not per checkout); -o keeps the lock from the containers.
  flock -o "/tmp/linuxnet-molecule-$s.lock" \
    molecule --base-config molecule/_shared/config.yml "$command" --scenario-name "$s" \
    >"$logs/molecule-$s.log" 2>&1 </dev/null || status=$?
  {
    echo "=== molecule $command: $s"
    cat "$logs/molecule-$s.log"
    if [ $status -eq 0 ]; then
      echo "=== molecule $s: ok ($((SECONDS - start))s)"
    else
      echo "=== molecule $s: FAILED ($((SECONDS - start))s)"
    fi
  } | flock "$logs/.molecule-output.lock" cat
  return $status
}

declare -A running=()
passed=0; failed=()
next=0
while :; do
  while { [ ${#failed[@]} -eq 0 ] || [ "${KEEP_GOING:-0}" = 1 ]; } && [ ${#running[@]} -lt "$jobs" ] && [ $next -lt ${#ordered[@]} ]; do
    s=${ordered[$next]}; next=$((next + 1))
    echo "=== molecule: $s started ($(date -u +%H:%M:%S))"
    run_one "$s" &
    running[$!]=$s
  done
  [ ${#running[@]} -eq 0 ] && break
  status=0
  wait -n -p done_pid "${!running[@]}" || status=$?
  s=${running[$done_pid]}
  unset "running[$done_pid]"
  if [ $status -eq 0 ]; then passed=$((passed + 1)); else failed+=("$s"); fi
done
rm -f "$logs/molecule.digest"
if [ ${#failed[@]} -gt 0 ]; then
  echo "molecule: FAILED: ${failed[*]} ($passed passed; scenarios not started after the failure: $(( ${#ordered[@]} - next )))"
  # What failed, short, for the end of `make test` (scripts/run-suites.sh).
  failed_logs=()
  for s in "${failed[@]}"; do failed_logs+=("$logs/molecule-$s.log"); done
  scripts/failure-digest.sh "${failed_logs[@]}" >"$logs/molecule.digest"
  exit 1
fi
echo "molecule: $passed scenario(s) passed"
