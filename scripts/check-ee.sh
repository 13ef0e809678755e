#!/usr/bin/env bash
# The execution environment definition works: ansible-builder finds the
# collection's dependencies (meta/execution-environment.yml -> requirements.txt,
# bindep.txt) in the installed tarball, and `ansible-builder create` produces
# the build context of docs/examples/execution-environment.yml. (Building the
# image needs a registry for the base image, which CI does not have.)
#   scripts/check-ee.sh COLLECTIONS_PATH   (the directory holding ansible_collections/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
collections=$(cd "${1:?usage: scripts/check-ee.sh COLLECTIONS_PATH}" && pwd)
builder=$root/.venv/bin/ansible-builder
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$builder" introspect --write-pip "$tmp/pip.txt" --write-bindep "$tmp/bindep.txt" "$collections" >"$tmp/introspect.txt"
for want in "pip.txt:^pyroute2" "bindep.txt:^nftables"; do
  grep -q "${want#*:}" "$tmp/${want%%:*}" || {
    echo "check-ee: ansible-builder introspect found no ${want#*:^} in the installed collection:" >&2
    cat "$tmp/introspect.txt" >&2
    exit 1
  }
done

(cd "$tmp" && "$builder" create -f "$root/docs/examples/execution-environment.yml" -c context >/dev/null)
for f in Containerfile _build/requirements.yml _build/scripts/introspect.py; do
  [ -s "$tmp/context/$f" ] || { echo "check-ee: ansible-builder create made no context/$f" >&2; exit 1; }
done
grep -q 'linuxnet/plumbing' "$tmp/context/_build/requirements.yml" \
  || { echo "check-ee: the build context's galaxy requirements do not name this collection" >&2; exit 1; }
grep -q 'introspect' "$tmp/context/Containerfile" \
  || { echo "check-ee: the Containerfile does not introspect the collections' dependencies" >&2; exit 1; }
found=$(sed 's/ *#.*//' "$tmp/pip.txt" "$tmp/bindep.txt" | paste -sd';' | sed 's/;/; /g')
echo "check-ee: ansible-builder introspect finds $found; ansible-builder create made the build context" \
     "($(find "$tmp/context" -type f | wc -l) files)"
