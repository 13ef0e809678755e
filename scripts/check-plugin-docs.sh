#!/usr/bin/env bash
# Every plugin and role of an installed collection has documentation that
# ansible-doc renders: modules, connections, filters (each name a FilterModule
# returns, not only the files), lookups, inventory and callback plugins when
# there are any, and roles (meta/argument_specs.yml).
#   scripts/check-plugin-docs.sh COLLECTION_DIR   (.../ansible_collections/linuxnet/plumbing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:?usage: scripts/check-plugin-docs.sh COLLECTION_DIR}" && pwd)
collections=$(dirname "$(dirname "$(dirname "$dir")")")
export ANSIBLE_COLLECTIONS_PATH=$collections
py=$root/.venv/bin/python

plugin_names() {  # TYPE -> the collection's plugin names of that type, one a line
  "$py" - "$collections" "$1" <<'PY'
import importlib, pathlib, sys
sys.path.insert(0, sys.argv[1])
kind = sys.argv[2]
base = pathlib.Path(sys.argv[1], 'ansible_collections', 'linuxnet', 'plumbing')
if kind == 'role':
    names = [p.name for p in (base / 'roles').iterdir() if p.is_dir()]
else:
    folder = base / 'plugins' / ('modules' if kind == 'module' else kind)
    names = [p.stem for p in folder.glob('[a-z]*.py')]
    if kind in ('filter', 'test'):
        names = []
        for path in folder.glob('[a-z]*.py'):
            mod = importlib.import_module('ansible_collections.linuxnet.plumbing.plugins.%s.%s' % (kind, path.stem))
            plugins = mod.FilterModule().filters() if kind == 'filter' else mod.TestModule().tests()
            names.extend(plugins)
for name in sorted(names):
    print('linuxnet.plumbing.' + name)
PY
}

total=0
summary=()
for type in module connection filter test lookup inventory callback role; do
  mapfile -t names < <(plugin_names "$type")
  [ ${#names[@]} -gt 0 ] || continue
  # One ansible-doc call per type; a plugin without documentation is missing
  # from the answer or has no description.
  json=$("$root/.venv/bin/ansible-doc" -t "$type" --json "${names[@]}")
  "$py" -c '
import json, sys
kind, names = sys.argv[1], sys.argv[2:]
data = json.loads(sys.stdin.read())
bad = []
for name in names:
    entry = data.get(name) or {}
    doc = ((entry.get("entry_points") or {}).get("main") if kind == "role" else entry.get("doc")) or {}
    if not (doc.get("short_description") and doc.get("description")):
        bad.append(name)
if bad:
    sys.exit("check-plugin-docs: %s without usable documentation: %s" % (kind, ", ".join(bad)))
' "$type" "${names[@]}" <<<"$json"
  total=$((total + ${#names[@]}))
  summary+=("${#names[@]} $type")
done
listed=$(printf '%s, ' "${summary[@]}")
echo "check-plugin-docs: ansible-doc documents all $total: ${listed%, }"
