#!/usr/bin/env bash
# The changelog is current: galaxy.yml's version is the latest release in
# changelogs/changelog.yaml (or the next one, being prepared), and CHANGELOG.rst
# is exactly what `antsibull-changelog generate` makes of changelog.yaml.
# Fragments added since the release are the next release's (make lint runs
# `antsibull-changelog lint` on them).
#   scripts/check-changelog.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH=$root/.venv/bin:$PATH   # antsibull-changelog calls ansible-doc
[ -s CHANGELOG.rst ] || { echo "check-changelog: there is no CHANGELOG.rst (antsibull-changelog release makes it)" >&2; exit 1; }
read -r version latest < <(.venv/bin/python - <<'PY'
import yaml
from ansible.module_utils.compat.version import LooseVersion
version = str(yaml.safe_load(open('galaxy.yml'))['version'])
releases = (yaml.safe_load(open('changelogs/changelog.yaml')) or {}).get('releases') or {}
latest = max(releases, key=LooseVersion) if releases else '-'
print(version, latest)
PY
)
if [ "$latest" = - ]; then
  echo "check-changelog: changelogs/changelog.yaml has no release" >&2
  exit 1
fi
if [ "$version" != "$latest" ] && [ "$(printf '%s\n%s\n' "$latest" "$version" | sort -V | tail -n 1)" != "$version" ]; then
  echo "check-changelog: galaxy.yml's version $version is older than the latest release $latest" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/copy-tree.sh "$tmp/ansible_collections/linuxnet/plumbing" >/dev/null
(cd "$tmp/ansible_collections/linuxnet/plumbing" && antsibull-changelog generate)
if ! diff -u CHANGELOG.rst "$tmp/ansible_collections/linuxnet/plumbing/CHANGELOG.rst"; then
  echo "check-changelog: CHANGELOG.rst is not what antsibull-changelog generate makes of changelogs/changelog.yaml" >&2
  exit 1
fi
unreleased=$(find changelogs/fragments -name '*.yml' | wc -l)
echo "check-changelog: CHANGELOG.rst is current; latest release $latest, galaxy.yml $version, $unreleased fragments for the next release"
