#!/usr/bin/env bash
# The runtime dependencies are pinned and used, and using them is quiet:
# - every line of requirements/runtime.txt is an exact pin (NAME==VERSION);
# - every pinned package is imported by the collection (plugins, roles,
#   playbooks) or is a dependency of another pin (pinned to keep it quiet or
#   working, like cryptography for ansible-core);
# - no ansible command prints a Python warning (CryptographyDeprecationWarning
#   and the like) with these pins.
#   scripts/check-dependencies.sh
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python - <<'PY'
import ast, pathlib, re, sys
from importlib import metadata

pins = {}
for line in pathlib.Path('requirements/runtime.txt').read_text().splitlines():
    line = line.split('#', 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r'([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)', line)
    if not m:
        sys.exit('check-dependencies: requirements/runtime.txt: %r is not an exact pin' % line)
    pins[m.group(1).lower().replace('_', '-')] = m.group(2)

imported = set()
for base in ('plugins', 'roles', 'playbooks'):
    for path in pathlib.Path(base).rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.update(a.name.split('.')[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split('.')[0])

dist_of = metadata.packages_distributions()
used_by_import = {d.lower() for name in imported for d in dist_of.get(name, [])}
# ansible_collections.* and ansible.* are ansible-core's namespaces
if 'ansible_collections' in imported or 'ansible' in imported:
    used_by_import.add('ansible-core')

def requires(name):
    out = set()
    for req in metadata.requires(name) or []:
        if 'extra ==' in req:
            continue
        out.add(re.split(r'[ ;<>=!~\[(]', req, 1)[0].lower().replace('_', '-'))
    return out

unused = []
report = []
for name, version in sorted(pins.items()):
    installed = metadata.version(name)
    if installed != version:
        sys.exit('check-dependencies: %s is pinned to %s but %s is installed (run scripts/setup.sh)' % (name, version, installed))
    if name in used_by_import:
        report.append('%s (imported)' % name)
        continue
    parents = [p for p in pins if p != name and name in requires(p)]
    if parents:
        report.append('%s (required by %s)' % (name, ', '.join(parents)))
    else:
        unused.append(name)
if unused:
    sys.exit('check-dependencies: pinned in requirements/runtime.txt but used nowhere: %s' % ', '.join(unused))
print('check-dependencies: every pin is used: ' + ', '.join(report))
PY
out=$(.venv/bin/ansible --version 2>&1; .venv/bin/ansible-doc -t module linuxnet.plumbing.netns 2>&1 >/dev/null)
if grep -E 'Warning|WARNING' <<<"$out"; then
  echo "check-dependencies: an ansible command printed the warning above" >&2
  exit 1
fi
echo "check-dependencies: ansible and ansible-doc print no warnings"
