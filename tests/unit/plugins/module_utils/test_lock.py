# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-namespace lock: real flock() on real files (in a temporary lock directory)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import lock as _lock


@pytest.fixture
def lock_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(_lock, 'LOCK_DIRS', (str(tmp_path),))
    return tmp_path


def test_path_names_the_namespace_inode(lock_dir):
    inode = os.stat('/proc/self/ns/net').st_ino
    assert _lock.lock_path('nft', None) == str(lock_dir / ('linuxnet-nft-net%d.lock' % inode))


def test_second_holder_waits_then_gives_up_naming_the_file(lock_dir):
    with _lock.NamespaceLock('nft', None) as first:
        with pytest.raises(ModuleFailure) as err:
            _lock.NamespaceLock('nft', None, wait=0.05).acquire()
        assert first.path in err.value.msg
    # released: the next run gets it at once
    with _lock.NamespaceLock('nft', None, wait=0):
        pass


def test_other_purpose_is_another_lock(lock_dir):
    with _lock.NamespaceLock('nft', None):
        with _lock.NamespaceLock('other', None, wait=0):
            pass


def test_file_mode_is_0600_whatever_the_umask(lock_dir):
    old = os.umask(0)
    try:
        with _lock.NamespaceLock('nft', None) as held:
            assert stat.S_IMODE(os.stat(held.path).st_mode) == 0o600
    finally:
        os.umask(old)


def test_symlink_in_the_lock_directory_is_refused(lock_dir, tmp_path):
    path = _lock.lock_path('nft', None)
    os.symlink(str(tmp_path / 'elsewhere'), path)
    with pytest.raises(ModuleFailure):
        _lock.NamespaceLock('nft', None).acquire()
    assert not (tmp_path / 'elsewhere').exists()
