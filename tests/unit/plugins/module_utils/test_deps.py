# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core.deps: what a user sees when pyroute2 cannot be imported (pure logic).

A missing library is simulated by putting None in sys.modules['pyroute2'], which
importlib.util.find_spec reports as not installed; the entry is restored afterwards.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core import deps as _deps

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
def without_pyroute2():
    saved = sys.modules.get('pyroute2', _MISSING)
    sys.modules['pyroute2'] = None  # what find_spec reports as "not installed"
    try:
        yield _deps
    finally:
        if saved is _MISSING:
            del sys.modules['pyroute2']
        else:
            sys.modules['pyroute2'] = saved


def test_missing_library_is_seen_without_importing_it(without_pyroute2):
    assert without_pyroute2.has_library('pyroute2') is False
    assert _deps.has_library('linuxnet_no_such_library') is False


def test_failure_says_how_to_install_pyroute2(without_pyroute2):
    module = FakeModule()
    with pytest.raises(FailJson):
        without_pyroute2.require_pyroute2(module)
    msg = module.failed_with['msg']
    assert 'Failed to import the required Python library (pyroute2)' in msg
    assert '"pip install pyroute2"' in msg
    assert '"apt-get install python3-pyroute2" (Debian/Ubuntu)' in msg
    assert '"dnf install python3-pyroute2" (Fedora/RHEL)' in msg
    assert 'pyroute2 0.7 or newer' in msg
    assert without_pyroute2.PYROUTE2_HINT in msg


def test_nothing_fails_when_pyroute2_is_installed():
    assert _deps.has_library('pyroute2') is True
    module = FakeModule()
    _deps.require_pyroute2(module)
    assert module.failed_with is None
