# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import files


@pytest.fixture(params=[0o000, 0o077, 0o022], ids=['umask000', 'umask077', 'umask022'])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_new_file_and_directories_get_explicit_modes(tmp_path, umask):
    target = tmp_path / 'etc' / 'netns' / 'fvx' / 'resolv.conf'
    files.write_file(str(target), u'nameserver 192.0.2.53\n')
    assert target.read_text() == u'nameserver 192.0.2.53\n'
    assert mode(target) == 0o644
    for directory in (tmp_path / 'etc', tmp_path / 'etc' / 'netns', target.parent):
        assert mode(directory) == 0o755
    assert sorted(os.listdir(str(target.parent))) == ['resolv.conf']  # no temp file left


def test_key_mode_and_bytes(tmp_path, umask):
    target = tmp_path / 'key'
    files.write_file(str(target), b'\x00secret', mode=files.KEY_MODE)
    assert target.read_bytes() == b'\x00secret'
    assert mode(target) == 0o600


def test_existing_directory_keeps_its_mode(tmp_path, umask):
    existing = tmp_path / 'd'
    existing.mkdir()
    os.chmod(str(existing), 0o700)
    files.write_file(str(existing / 'f'), 'x')
    assert mode(existing) == 0o700


def test_rewrite_sets_mode_unless_asked_to_keep_it(tmp_path, umask):
    target = tmp_path / 'f'
    target.write_text(u'old')
    os.chmod(str(target), 0o640)
    files.write_file(str(target), 'kept', keep_existing_mode=True)
    assert (target.read_text(), mode(target)) == (u'kept', 0o640)
    files.write_file(str(target), 'reset')
    assert (target.read_text(), mode(target)) == (u'reset', 0o644)


def test_keep_existing_mode_keeps_owner(tmp_path):
    target = tmp_path / 'f'
    target.write_text(u'old')
    os.chown(str(target), 12345, 23456)
    files.write_file(str(target), 'new', keep_existing_mode=True)
    st = os.stat(str(target))
    assert (st.st_uid, st.st_gid) == (12345, 23456)


def test_keep_existing_mode_on_a_new_file_uses_mode(tmp_path, umask):
    target = tmp_path / 'new.conf'
    files.write_file(str(target), 'x', keep_existing_mode=True)
    assert mode(target) == 0o644


def test_replacement_is_a_new_inode(tmp_path):
    # a reader holding the old file keeps reading the old content: the write never truncates it
    target = tmp_path / 'f'
    target.write_text(u'old')
    with open(str(target)) as reader:
        files.write_file(str(target), 'new')
        assert reader.read() == 'old'
    assert target.read_text() == u'new'


def test_failure_names_the_path_and_leaves_no_temp_file(tmp_path):
    folder = tmp_path / 'd'
    folder.mkdir()
    target = folder / 'sub'
    target.mkdir()  # rename of a file over a directory fails
    with pytest.raises(ModuleFailure) as info:
        files.write_file(str(target), 'x')
    assert str(target) in info.value.msg
    assert os.listdir(str(folder)) == ['sub']
    assert os.listdir(str(target)) == []


def test_parent_that_is_a_file_fails_cleanly(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text(u'')
    with pytest.raises(ModuleFailure) as info:
        files.write_file(str(blocker / 'x' / 'y'), 'x')
    assert 'x/y' in info.value.msg
