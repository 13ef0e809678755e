#!/usr/bin/env bash
# requires_ansible holds at both ends: the oldest ansible-core that
# meta/runtime.yml claims (in a venv of its own under .build/, from PyPI) and
# the newest (the venv's, 2.19: the newest that runs on Python 3.11) each
# install the tarball and run real module tasks with it: a throw-away namespace
# created, read back with net_info, removed. The oldest runs the modules with
# Debian's /usr/bin/python3 (pyroute2 0.7), the newest with the venv's (0.9).
#   scripts/check-ansible-versions.sh TARBALL
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tarball=$root/${1:?usage: scripts/check-ansible-versions.sh TARBALL}
oldest=$(sed -n 's/^requires_ansible: *"*>= *\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)
[ -n "$oldest" ] || { echo "check-ansible-versions: no '>=X.Y' requires_ansible in meta/runtime.yml" >&2; exit 1; }
newest=$(.venv/bin/python -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')

old_venv=.build/ansible-$oldest
if [ "$(cat "$old_venv/.stamp" 2>/dev/null)" != "$oldest" ]; then
  echo "check-ansible-versions: installing ansible-core $oldest.* into $old_venv"
  rm -rf "$old_venv"
  /usr/bin/python3 -m venv "$old_venv"
  "$old_venv/bin/python" -m pip install --quiet --disable-pip-version-check "ansible-core==$oldest.*"
  echo "$oldest" >"$old_venv/.stamp"
fi

tmp=$(mktemp -d)
ns=lnpver$$
trap 'ip netns delete "$ns" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat >"$tmp/play.yml" <<YAML
- name: Run the collection's modules with this ansible-core
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Create, read and remove a namespace
      block:
        - name: A namespace
          linuxnet.plumbing.netns:
            name: $ns
          register: created
        - name: Read it
          linuxnet.plumbing.net_info:
            netns: $ns
            gather: [links]
          register: read
        - name: Check
          ansible.builtin.assert:
            that:
              - created is changed
              - read.net_info['$ns'].links.lo.up
      always:
        - name: Remove it
          linuxnet.plumbing.netns:
            name: $ns
            state: absent
YAML
touch "$tmp/ansible.cfg"
for pair in "$oldest:$root/$old_venv/bin:/usr/bin/python3" "$newest:$root/.venv/bin:$root/.venv/bin/python"; do
  IFS=: read -r version bin python <<<"$pair"
  collections=$tmp/collections-$version
  export ANSIBLE_CONFIG=$tmp/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$collections NO_COLOR=1
  "$bin/ansible-galaxy" collection install --offline -p "$collections" "$tarball" >/dev/null
  full=$("$bin/ansible" --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p')
  out=$("$bin/ansible-playbook" -i localhost, -e ansible_python_interpreter="$python" "$tmp/play.yml" 2>&1) || {
    echo "$out" >&2; echo "check-ansible-versions: ansible-core $full failed" >&2; exit 1; }
  if grep -qi 'does not support Ansible version\|warning' <<<"$out"; then
    echo "$out" >&2; echo "check-ansible-versions: ansible-core $full warned" >&2; exit 1
  fi
  grep -q 'ok=4 *changed=2 .*failed=0' <<<"$out" || { echo "$out" >&2; exit 1; }
  echo "check-ansible-versions: ansible-core $full ($python) installed the tarball and ran netns and net_info"
done
