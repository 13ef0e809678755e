#!/usr/bin/env bash
# Build the collection tarball the way the README says (ansible-galaxy
# collection build of a checkout) from a copy of this tree in which a used
# working tree's leftovers are planted, fail on anything in the tarball that is
# not the collection's shipped content, then install it into a throw-away
# collections directory and prove it from outside the checkout: its plugin
# docs, its modules run, its execution environment dependencies.
#   scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
src=.build/src
scripts/copy-tree.sh "$src"

# What a working tree accumulates: ansible's and pytest's caches, molecule and
# test logs, bytecode, an editor's backup, a venv, a previous tarball.
planted=(.ansible/tmp/x .pytest_cache/v/cache/nodeids molecule/bridge/molecule.log tests/output/junit.xml
         plugins/modules/__pycache__/veth.cpython-311.pyc roles/firewall/__pycache__/x.pyc .venv/bin/python
         plugins/modules/veth.py~ .build/logs/units.log linuxnet-plumbing-0.0.1.tar.gz .cache/x
         playbooks/multihop.retry changelogs/.plugin-cache.yaml build/lib/x.py benchmarks/out.log)
for f in "${planted[@]}"; do mkdir -p "$src/$(dirname "$f")"; echo planted >"$src/$f"; done

rm -f .build/linuxnet-plumbing-*.tar.gz
.venv/bin/ansible-galaxy collection build --force --output-path .build "$src"
tarball=$(ls .build/linuxnet-plumbing-*.tar.gz)
tar -tzf "$tarball" | sort >.build/tarball-contents.txt
echo "build: $tarball ($(du -h "$tarball" | cut -f1), $(wc -l <.build/tarball-contents.txt) entries, listed in .build/tarball-contents.txt)"

# Shipped: the collection's content, its metadata and EE dependency files.
# Anything else (a planted leftover, tests, developer tooling) is a failure.
shipped='^(MANIFEST\.json|FILES\.json|README\.md|LICENSE|CHANGELOG\.rst|requirements\.txt|bindep\.txt|(meta|plugins|roles|playbooks|docs|changelogs|extensions)(/.*)?)$'
unexpected=$(grep -vE "$shipped" .build/tarball-contents.txt || true)
unexpected+=$(grep -E '(^|/)(__pycache__|\.[^/]+)(/|$)|\.(pyc|log|retry|tar\.gz)$|~$' .build/tarball-contents.txt || true)
if [ -n "$unexpected" ]; then
  echo "build: the tarball holds files that are not the collection's:" >&2
  echo "$unexpected" >&2
  exit 1
fi
for f in LICENSE README.md meta/runtime.yml meta/execution-environment.yml requirements.txt bindep.txt; do
  grep -qx "$f" .build/tarball-contents.txt || { echo "build: $f is missing from the tarball" >&2; exit 1; }
done
echo "build: the tarball holds only the collection ($(cut -d/ -f1 .build/tarball-contents.txt | sort -u | tr '\n' ' '))"

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

"$root/scripts/check-plugin-docs.sh" "$tmp/collections/ansible_collections/linuxnet/plumbing"
"$root/scripts/check-ee.sh" "$tmp/collections"

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
"$root/.venv/bin/ansible-playbook" -i localhost, "$tmp/use.yml" 2>&1 | tee "$tmp/use.log"
if grep -q 'Warning' "$tmp/use.log"; then
  echo "build: the playbook run printed a Python warning (see above)" >&2
  exit 1
fi
echo "build: the installed modules run from $tmp (netns, veth, net_info), no Python warnings"

cd "$root"
scripts/check-changelog.sh
scripts/check-ansible-versions.sh "$tarball"
scripts/check-dependencies.sh
scripts/check-readme.sh
scripts/check-nonroot.sh
scripts/check-lab-output.sh
