#!/usr/bin/env bash
# Run molecule scenarios (every directory under molecule/ with a molecule.yml,
# except _shared) in privileged podman containers of the locally built image.
#   scripts/molecule.sh [SCENARIO...]          `molecule test` each, stop at the first failure
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
# The fleet scenario's images (base list + molecule/_shared/fleet-*-packages.txt).
if printf '%s\n' "${scenarios[@]}" | grep -qx fleet; then
  for variant in fleet-netplan fleet-nm fleet-ifupdown; do scripts/build-test-image.sh "$variant"; done
fi
scripts/fetch-podman-collection.sh

passed=0; times=()
for s in "${scenarios[@]}"; do
  [ -f "molecule/$s/molecule.yml" ] || { echo "molecule: no scenario molecule/$s" >&2; exit 2; }
  echo "=== molecule $command: $s"
  start=$SECONDS
  # One run per scenario at a time on this machine (the container name is
  # per scenario, not per checkout); -o keeps the lock from the containers.
  if ! flock -o "/tmp/linuxnet-molecule-$s.lock" molecule --base-config molecule/_shared/config.yml "$command" --scenario-name "$s"; then
    echo "=== molecule $s: FAILED ($((SECONDS - start))s)"
    exit 1
  fi
  times+=("$s $((SECONDS - start))s")
  passed=$((passed + 1))
  echo "=== molecule $s: ok ($((SECONDS - start))s)"
done
echo "molecule: $passed scenario(s) passed: ${times[*]}"
