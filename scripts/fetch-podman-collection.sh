#!/usr/bin/env bash
# Put the containers.podman collection (needed by molecule's podman driver)
# into .build/collections without Ansible Galaxy: it ships inside the
# `ansible` package on PyPI. The wheel is downloaded once into .cache/.
#   scripts/fetch-podman-collection.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ansible_version=${ANSIBLE_PACKAGE_VERSION:-12.3.0}
# Collections molecule's podman driver uses (molecule_plugins/podman/playbooks);
# containers.podman declares no dependencies of its own.
collections=(containers/podman)
dest=.build/collections
wheel_dir=.cache/pip-ansible
wheel=$wheel_dir/ansible-$ansible_version-py3-none-any.whl
stamp=$dest/.linuxnet-ansible-$ansible_version
mkdir -p .build
exec 9>.build/.fetch-podman-collection.lock
flock 9

if [ -f "$stamp" ]; then
  echo "fetch-podman-collection: containers.podman from ansible $ansible_version already in $dest"
  exit 0
fi
if [ ! -s "$wheel" ]; then
  echo "fetch-podman-collection: downloading ansible==$ansible_version (once, cached in $wheel_dir)"
  mkdir -p "$wheel_dir"
  .venv/bin/python -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$wheel_dir" "ansible==$ansible_version"
fi
rm -rf "$dest/ansible_collections"
mkdir -p "$dest"
.venv/bin/python - "$wheel" "$dest" "${collections[@]}" <<'PY'
import sys, zipfile
wheel, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
prefixes = tuple("ansible_collections/%s/" % n for n in names)
with zipfile.ZipFile(wheel) as zf:
    members = [m for m in zf.namelist() if m.startswith(prefixes)]
    if not members:
        sys.exit("no %s in %s" % (", ".join(names), wheel))
    zf.extractall(dest, members)
print("fetch-podman-collection: unpacked %d files of %s into %s"
      % (len(members), ", ".join(n.replace("/", ".") for n in names), dest))
PY
touch "$stamp"
