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

# Run the installed modules, not only their docs: a throw-away namespace with a
# veth pair, read back through net_info, then removed.
ns=lnpbuild$$
cat >"$tmp/use.yml" <<YAML
- name: Use the installed linuxnet.plumbing from outside the checkout
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: $root/.venv/bin/python
  tasks:
    - name: Build and read a namespace with the installed modules
      block:
        - name: A namespace
          linuxnet.plumbing.netns:
            name: $ns
        - name: A veth pair inside it
          linuxnet.plumbing.veth:
            netns: $ns
            name: b0
            peer: b1
            peer_netns: $ns
            address: [192.0.2.1/30]
            peer_address: [192.0.2.2/30]
        - name: Read it back
          linuxnet.plumbing.net_info:
            netns: $ns
            gather: [links, addresses]
          register: build_info
        - name: Check what was read
          ansible.builtin.assert:
            that:
              - build_info.net_info['$ns'].links.keys() | list | intersect(['b0', 'b1']) | length == 2
      always:
        - name: Remove the namespace
          linuxnet.plumbing.netns:
            name: $ns
            state: absent
YAML
"$root/.venv/bin/ansible-playbook" -i localhost, "$tmp/use.yml"
echo "build: the installed modules run from $tmp (netns, veth, net_info)"
