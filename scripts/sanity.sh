#!/usr/bin/env bash
# ansible-test sanity on a copy of the checkout: ansible-test refuses a
# symlinked path, so the tracked (and new, not ignored) files are copied to
# .build/ansible_collections/linuxnet/plumbing, without the collections/ link.
#   scripts/sanity.sh [ansible-test sanity options, e.g. --test pep8]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dest=.build/ansible_collections/linuxnet/plumbing
python_version=${SANITY_PYTHON:-3.11}

# ansible-test downloads get-pip from a host that is not reachable here; put
# the stand-in where it looks first. The file name carries the pip version
# ansible-test pins (get_venv_packages in ansible_test/_internal/python_requirements.py).
pip_version=$(.venv/bin/python - <<'PY'
import pathlib, re, ansible_test
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
m = re.search(r"pip='([0-9.]+)'", src.read_text())
print(m.group(1) if m else "24.2")
PY
)
cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$cache")"
if ! cmp -s scripts/get_pip_standin.py "$cache"; then
  cp scripts/get_pip_standin.py "$cache"
  echo "sanity: installed get-pip stand-in at $cache"
fi

# One sanity run at a time (runs share the copy and ansible-test's venvs in ~/.ansible/test).
mkdir -p .build
exec 9>/tmp/linuxnet-sanity.lock
flock 9
scripts/copy-tree.sh "$dest"

cd "$dest"
# The copy sits inside this checkout's git work tree, where .build/ is ignored:
# give it a repository of its own so ansible-test's git file listing sees it.
git init --quiet .
exec "$root/.venv/bin/ansible-test" sanity --python "$python_version" "$@"
