#!/usr/bin/env bash
# Without root, a new user is told so at once, in one line:
# - `make demo` (and `make test`) as an unprivileged user, from a copy of the
#   tree that user can read, stop within seconds with one line naming root;
# - the modules, run as that user, fail with one line saying root (become:
#   true) is needed, for netlink (veth), namespaces (netns), nftables
#   (masquerade) and reads of all namespaces (net_info).
#   scripts/check-nonroot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
user=nobody
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
scripts/copy-tree.sh "$tmp/tree" >/dev/null
chmod -R a+rX "$tmp/tree"

for goal in demo test; do
  start=$SECONDS
  status=0
  out=$(cd "$tmp" && runuser -u "$user" -- env HOME="$tmp" make --no-print-directory -C "$tmp/tree" "$goal" 2>&1) || status=$?
  lines=$(printf '%s\n' "$out" | grep -c .)
  if [ "$status" -eq 0 ] || [ "$lines" -ne 1 ] || ! grep -q 'needs root' <<<"$out" || [ $((SECONDS - start)) -gt 10 ]; then
    echo "check-nonroot: make $goal as $user: expected one line saying root is needed, within seconds; got (status $status, $((SECONDS - start))s):" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "check-nonroot: make $goal as $user: $out"
done
out=$(runuser -u "$user" -- "$tmp/tree/scripts/demo.sh" 2>&1) && { echo "check-nonroot: scripts/demo.sh as $user succeeded" >&2; exit 1; }
if [ "$(printf '%s\n' "$out" | grep -c .)" -ne 1 ] || ! grep -q 'needs root' <<<"$out"; then
  echo "check-nonroot: scripts/demo.sh as $user: expected one line, got:" >&2
  echo "$out" >&2
  exit 1
fi
echo "check-nonroot: scripts/demo.sh as $user: $out"

# The modules, run as that user the way a playbook without become would run
# them on a host: su to the user, the module sent over a pipe (no files to
# share), Debian's Python (pyroute2 0.7). Names are this check's own; nothing
# is created (every call is refused).
export ANSIBLE_CONFIG=$root/ansible.cfg NO_COLOR=1 ANSIBLE_PIPELINING=true ANSIBLE_SU_FLAGS="-s /bin/sh" \
       ANSIBLE_DEPRECATION_WARNINGS=false
ns=lnpnr$$
for call in "netns|name=$ns" "veth|name=${ns}a peer=${ns}b" "masquerade|name=$ns out_interface=${ns}a" \
            "net_info|all_namespaces=true"; do
  module=${call%%|*} args=${call#*|}
  out=$(.venv/bin/ansible localhost -o -b --become-method su --become-user "$user" \
        -e ansible_python_interpreter=/usr/bin/python3 -m "linuxnet.plumbing.$module" -a "$args" 2>&1) && {
    echo "check-nonroot: $module succeeded as $user: $out" >&2; exit 1; }
  # -o: "localhost | FAILED! => {JSON result}" on one line
  msg=$(.venv/bin/python -c '
import json, sys
line = [l for l in sys.stdin.read().splitlines() if "FAILED! => " in l][0]
print(json.loads(line.split("FAILED! => ", 1)[1])["msg"])' <<<"$out" 2>/dev/null || true)
  if [[ $msg != "linuxnet.plumbing.$module needs root (become: true"* ]] || [[ $msg == *$'\n'* ]]; then
    echo "check-nonroot: $module as $user: expected one line saying root (become) is needed, got:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "check-nonroot: $module: $msg"
done
ip netns list | grep -q "^$ns\b" && { echo "check-nonroot: namespace $ns was created" >&2; ip netns delete "$ns"; exit 1; }
echo "check-nonroot: nothing was created"
