# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_deps: what a user sees when pyroute2 cannot be imported (pure logic).

A failed import is simulated by putting None in sys.modules['pyroute2'] (which
makes ``import pyroute2`` raise ImportError) and reloading _deps; the module is
reloaded again afterwards with the real state, so other tests are unaffected.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import sys

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils import _deps

_MISSING = object()


class FailJson(Exception):
    pass


class FakeModule(object):
    """Records fail_json like AnsibleModule would, and stops like it does."""

    def __init__(self):
        self.failed_with = None

    def fail_json(self, **kwargs):
        self.failed_with = kwargs
        raise FailJson(kwargs.get('msg'))


@pytest.fixture
def deps_without_pyroute2():
    saved = sys.modules.get('pyroute2', _MISSING)
    sys.modules['pyroute2'] = None  # import pyroute2 -> ImportError
    try:
        yield importlib.reload(_deps)
    finally:
        if saved is _MISSING:
            del sys.modules['pyroute2']
        else:
            sys.modules['pyroute2'] = saved
        importlib.reload(_deps)


def test_failed_import_is_recorded(deps_without_pyroute2):
    assert deps_without_pyroute2.HAS_PYROUTE2 is False
    assert 'import of pyroute2' in deps_without_pyroute2.PYROUTE2_IMPORT_ERROR


def test_failure_says_how_to_install_pyroute2(deps_without_pyroute2):
    module = FakeModule()
    with pytest.raises(FailJson):
        deps_without_pyroute2.require_pyroute2(module)
    msg = module.failed_with['msg']
    assert 'Failed to import the required Python library (pyroute2)' in msg
    assert '"pip install pyroute2"' in msg
    assert '"apt-get install python3-pyroute2" (Debian/Ubuntu)' in msg
    assert '"dnf install python3-pyroute2" (Fedora/RHEL)' in msg
    assert 'pyroute2 0.7 or newer' in msg
    assert deps_without_pyroute2.PYROUTE2_HINT in msg
    assert module.failed_with['exception'] == deps_without_pyroute2.PYROUTE2_IMPORT_ERROR
    assert module.failed_with['exception'].startswith('Traceback')


def test_nothing_fails_when_pyroute2_imports(monkeypatch):
    monkeypatch.setattr(_deps, 'HAS_PYROUTE2', True)
    module = FakeModule()
    _deps.require_pyroute2(module)
    assert module.failed_with is None


def test_state_after_the_simulation_matches_the_environment():
    # Runs after the tests above (file order): the fixture put the real state back.
    try:
        importlib.import_module('pyroute2')
    except ImportError:
        real = False
    else:
        real = True
    assert _deps.HAS_PYROUTE2 is real
