#!/usr/bin/env bash
# Build the collection tarball into .build/, install it into a throw-away
# collections directory and prove it works from outside the checkout.
#   scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Build from a copy of what git would hand out, so local caches never end up
# in the tarball.
scripts/copy-tree.sh .build/src
rm -f .build/linuxnet-plumbing-*.tar.gz
.venv/bin/ansible-galaxy collection build --force --output-path .build .build/src
tarball=$(ls .build/linuxnet-plumbing-*.tar.gz)
echo "build: $tarball ($(du -h "$tarball" | cut -f1), $(tar -tzf "$tarball" | wc -l) entries)"

module=veth
[ -f plugins/modules/$module.py ] || module=$(find plugins/modules -name '[a-z]*.py' -printf '%f\n' | sort | head -n 1 | sed 's/\.py$//')

# Install and use it from another directory, with only the installed copy on
# the collections path and no ansible.cfg of the checkout in sight.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
touch "$tmp/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_CONFIG=$tmp/ansible.cfg
"$root/.venv/bin/ansible-galaxy" collection install --offline -p "$tmp/collections" "$root/$tarball"
installed=$("$root/.venv/bin/ansible-galaxy" collection list linuxnet.plumbing 2>/dev/null | grep -c '^linuxnet.plumbing' || true)
[ "$installed" -ge 1 ] || { echo "build: linuxnet.plumbing is not in $tmp/collections" >&2; exit 1; }
if [ -z "$module" ]; then
  echo "build: no modules yet; installed collection found, nothing to document"
  exit 0
fi
"$root/.venv/bin/ansible-doc" -t module -l linuxnet.plumbing
"$root/.venv/bin/ansible-doc" "linuxnet.plumbing.$module" | head -n 15
echo "build: ansible-doc linuxnet.plumbing.$module works from the installed tarball"
