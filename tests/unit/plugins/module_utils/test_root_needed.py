# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_module: a permission error in a module run by a user other than root
becomes one line saying that root (become) is needed; run by root, errors stay
as they were. (scripts/check-nonroot.sh checks the real refusals, with the
modules run as nobody.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core import module as core
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import NamespaceError


class NetlinkError(Exception):
    """Stands in for pyroute2's NetlinkError, which run_module recognises by name."""

    def __init__(self, code, text):
        super(NetlinkError, self).__init__(code, text)
        self.code = code


class Stop(Exception):
    pass


class FakeModule(object):
    _name = 'linuxnet.plumbing.veth'

    def __init__(self):
        self.result = None

    def fail_json(self, **kwargs):
        self.result = dict(kwargs, failed=True)
        raise Stop()

    def exit_json(self, **kwargs):
        self.result = kwargs
        raise Stop()


def _raise(exc):
    def body(module):
        raise exc
    return body


def _namespace_error_from(os_error):
    try:
        raise os_error
    except OSError:
        try:
            raise NamespaceError("cannot enter network namespace 'x': %s" % os_error)
        except NamespaceError as exc:
            return exc


@pytest.mark.parametrize('exc, expected', [
    (NetlinkError(errno.EPERM, 'Operation not permitted'), errno.EPERM),
    (OSError(errno.EPERM, 'mount rundir failed'), errno.EPERM),
    (OSError(errno.EACCES, 'Permission denied'), errno.EACCES),
    (core.ModuleFailure('refused', errno=errno.EACCES), errno.EACCES),
    (core.ModuleFailure('nft -j list table inet linuxnet failed: Operation not permitted (you must be root)'),
     errno.EPERM),
    (NetlinkError(errno.EEXIST, 'File exists'), None),
    (OSError(errno.ENOENT, 'No such file or directory'), None),
    (core.ModuleFailure('something else'), None),
])
def test_permission_errno(exc, expected):
    assert core.permission_errno(exc) == expected


def test_permission_errno_follows_the_cause():
    assert core.permission_errno(_namespace_error_from(OSError(errno.EPERM, 'setns'))) == errno.EPERM
    assert core.permission_errno(_namespace_error_from(OSError(errno.ENOENT, 'gone'))) is None


@pytest.mark.parametrize('exc, detail', [
    (NetlinkError(errno.EPERM, 'Operation not permitted'), 'Operation not permitted (errno 1)'),
    (OSError(errno.EPERM, 'mount rundir failed'), '[Errno 1] mount rundir failed'),
    (core.ModuleFailure('nft failed: Operation not permitted (you must be root)\nnetlink: Error: cache'),
     'nft failed: Operation not permitted (you must be root) netlink: Error: cache'),
])
def test_not_root_one_line_says_root_is_needed(monkeypatch, exc, detail):
    monkeypatch.setattr(core.os, 'geteuid', lambda: 65534)
    module = FakeModule()
    with pytest.raises(Stop):
        core.run_module(module, _raise(exc))
    assert module.result == dict(
        failed=True, msg='linuxnet.plumbing.veth needs root (become: true): ' + detail)
    assert '\n' not in module.result['msg']


def test_as_root_the_kernel_error_stays(monkeypatch):
    monkeypatch.setattr(core.os, 'geteuid', lambda: 0)
    module = FakeModule()
    with pytest.raises(Stop):
        core.run_module(module, _raise(NetlinkError(errno.EPERM, 'Operation not permitted')))
    assert module.result == dict(failed=True, msg='the kernel refused the change: Operation not permitted (errno 1)')


def test_other_errors_are_not_about_root(monkeypatch):
    monkeypatch.setattr(core.os, 'geteuid', lambda: 65534)
    module = FakeModule()
    with pytest.raises(Stop):
        core.run_module(module, _raise(core.ModuleFailure('bad thing', option='x')))
    assert module.result == dict(failed=True, msg='bad thing', option='x')
    with pytest.raises(KeyError):
        core.run_module(FakeModule(), _raise(KeyError('bug')))


def test_success_exits(monkeypatch):
    module = FakeModule()
    with pytest.raises(Stop):
        core.run_module(module, lambda m: dict(changed=False))
    assert module.result == dict(changed=False)
