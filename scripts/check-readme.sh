#!/usr/bin/env bash
# README.md says what the collection holds and does, and it is true:
# - its module, filter and role tables name exactly the collection's modules,
#   filters and roles, and the playbooks it names exist;
# - the modules it says have no diff mode are exactly those whose docs say
#   diff_mode support none (the others support it);
# - nothing in the repository points at a TESTING.md that it does not hold.
#   scripts/check-readme.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_CONFIG=$PWD/ansible.cfg
mapfile -t modules < <(find plugins/modules -name '[a-z]*.py' -printf 'linuxnet.plumbing.%f\n' | sed 's/\.py$//' | sort)
.venv/bin/ansible-doc -t module --json "${modules[@]}" >.build/readme-modules.json
.venv/bin/python - <<'PY'
import glob, importlib, json, os, re, sys
sys.path.insert(0, 'collections')
readme = open('README.md').read()
errors = []

modules = {os.path.basename(p)[:-3] for p in glob.glob('plugins/modules/[a-z]*.py')}
roles = {os.path.basename(p) for p in glob.glob('roles/*') if os.path.isdir(p)}
filters = set()
for path in glob.glob('plugins/filter/[a-z]*.py'):
    mod = importlib.import_module('ansible_collections.linuxnet.plumbing.plugins.filter.' + os.path.basename(path)[:-3])
    filters.update(mod.FilterModule().filters())
rows = set(re.findall(r'^\| `linuxnet\.plumbing\.([a-z0-9_]+)` \|', readme, re.M))
for kind, names in (('module', modules), ('filter', filters), ('role', roles)):
    for name in sorted(names - rows):
        errors.append('README.md has no table row for the %s linuxnet.plumbing.%s' % (kind, name))
for name in sorted(rows - modules - filters - roles):
    errors.append('README.md names linuxnet.plumbing.%s, which the collection does not have' % name)
for path in sorted(set(re.findall(r'`(playbooks/[a-z0-9_/]+\.yml)`', readme))):
    if not os.path.exists(path):
        errors.append('README.md names %s, which does not exist' % path)

docs = json.load(open('.build/readme-modules.json'))
no_diff = {name.split('.')[-1] for name, d in docs.items()
           if (d['doc'].get('attributes', {}).get('diff_mode', {}).get('support', 'none')) == 'none'}
claim = re.search(r'supports diff\s+mode \(([^)]*)\)', readme)
said = set(re.findall(r'`([a-z0-9_]+)`', claim.group(1))) if claim else set()
if said != no_diff:
    errors.append('README.md says the modules without diff mode are %s; their docs say %s'
                  % (sorted(said) or 'none named', sorted(no_diff)))
if errors:
    sys.exit('\n'.join('check-readme: ' + e for e in errors))
print('check-readme: README.md names all %d modules, %d filters and %d roles; without diff mode: %s'
      % (len(modules), len(filters), len(roles), ', '.join(sorted(no_diff))))
PY
refs=$(git grep -n 'TESTING\.md' -- ':!scripts/check-readme.sh' ':!changelogs' ':!CHANGELOG.rst' || true)
if [ -n "$refs" ] && [ ! -e TESTING.md ]; then
  echo "check-readme: these lines point at a TESTING.md the repository does not hold:" >&2
  echo "$refs" >&2
  exit 1
fi
echo "check-readme: no file points at a TESTING.md outside the repository"
