# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The python_bundle filter: the bundled program runs in a Python that has
nothing of the collection (-I -S: no site-packages, no PYTHONPATH, started
from an empty directory), from a file and from stdin."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxnet.plumbing.plugins.filter.python_bundle import python_bundle

UTILS = 'ansible_collections.linuxnet.plumbing.plugins.module_utils'
ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')

PROGRAM = '''# -*- coding: utf-8 -*-
"""A program that uses the planner."""
from __future__ import absolute_import, division, print_function

import json
import sys

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import dest_text


def main():
    print(json.dumps(dict(dest=dest_text(4, '10.0.0.0', 8), argv=sys.argv[1:], name=__name__,
                          file=__file__ is not None)))


if __name__ == '__main__':
    main()
'''


def run(tmp_path, text, *args, stdin=None):
    if stdin is None:
        path = tmp_path / 'prog.py'
        path.write_text(text)
        argv = [sys.executable, '-I', '-S', str(path)]
    else:
        argv = [sys.executable, '-I', '-S', '-']
    return subprocess.run(argv + list(args), input=stdin, cwd=str(tmp_path), capture_output=True, text=True,
                          check=False)


def test_runs_without_the_collection_from_a_file_and_from_stdin(tmp_path):
    bundle = python_bundle(PROGRAM, 'prog.py')
    for stdin in (None, bundle):
        done = run(tmp_path, bundle, 'a', '--b', stdin=stdin)
        assert done.returncode == 0, done.stderr
        assert '"dest": "10.0.0.0/8"' in done.stdout and '"argv": ["a", "--b"]' in done.stdout
        assert '"name": "__main__"' in done.stdout
    # the bare program does not run there: the bundle is what brings the module
    assert run(tmp_path, PROGRAM).returncode != 0


def test_follows_imports_of_the_module_utils_and_only_what_is_needed():
    bundle = python_bundle(PROGRAM)
    # routes imports _core.validation
    assert "'%s._plan.routes': [" % UTILS in bundle
    assert "'%s._core.validation': [" % UTILS in bundle
    assert "'%s._plan.policy_routes': [" % UTILS not in bundle


def test_module_names_from_from_imports_and_from_strings(tmp_path):
    text = ('import importlib\n'
            'from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import rules, netlink_events\n'
            "NAME = '%s._plan.policy_routes'\n"
            'print(importlib.import_module(NAME).__name__, rules.__name__.rsplit(".", 1)[1])\n' % UTILS)
    bundle = python_bundle(text)
    for name in ('rules', 'netlink_events', 'policy_routes', 'routes'):
        assert "'%s._plan.%s': [" % (UTILS, name) in bundle
    done = run(tmp_path, bundle)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['%s._plan.policy_routes' % UTILS, 'rules']


def test_tracebacks_show_the_bundled_lines(tmp_path):
    text = ('from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import dest_text\n'
            'dest_text(4, "nonsense", 8)\n')
    done = run(tmp_path, python_bundle(text, 'boom.py'))
    assert done.returncode != 0
    assert 'File "boom.py", line 2' in done.stderr and 'dest_text(4, "nonsense", 8)' in done.stderr
    assert 'module_utils/_plan/routes.py' in done.stderr


def test_the_watcher_and_the_event_source_bundle_and_start(tmp_path):
    for rel, args in (('roles/interface_watch/files/interface_watch.py', ['status', '--pidfile', 'none']),
                      ('extensions/eda/plugins/event_source/netlink.py', ['--help'])):
        with open(os.path.join(ROOT, rel)) as handle:
            text = handle.read()
        done = run(tmp_path, python_bundle(text, os.path.basename(rel)), *args)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize('text, name, message', [
    ('import ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.nothere\n', 'x.py',
     r'x\.py imports %s\._plan\.nothere, which is not a module of linuxnet\.plumbing' % UTILS.replace('.', r'\.')),
    ('def broken(:\n', 'bad.py', r'bad\.py is not valid Python'),
    ('', 'x.py', 'the input must be the text of a Python program, got an empty text'),
    (['print(1)'], 'x.py', 'the input must be the text of a Python program, got list'),
    ('print(1)\n', '', "name must be a file name, got ''"),
])
def test_bad_input_is_refused_naming_it(text, name, message):
    with pytest.raises(AnsibleFilterError, match=message):
        python_bundle(text, name)
