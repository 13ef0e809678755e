# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_system.wireguard: the logic around the processes (which process is a
device's daemon, pid files, the environment and argument vectors given to wg),
with /proc and subprocess.run replaced by small fakes. The processes
themselves are tested for real by the wireguard integration target."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import subprocess

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import wireguard as wgsys


def _fake_proc(monkeypatch, cmdline, environ):
    files = {'/proc/42/cmdline': cmdline, '/proc/42/environ': environ}
    monkeypatch.setattr(wgsys, '_read', lambda path, mode='r': files.get(path))


@pytest.mark.parametrize('cmdline, environ, dev, expected', [
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'PATH=/bin\0WG_PROCESS_FOREGROUND=1\0', 'wg-gw', True),
    (b'wireguard-go\0-f\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-gw', True),
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'PATH=/bin\0', 'wg-gw', False),               # the parent, not the daemon
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'WG_PROCESS_FOREGROUND=10\0', 'wg-gw', False),
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-cl', False),  # another device
    (b'/usr/bin/wireguard-go-old\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-gw', False),
    (b'/usr/bin/wireguard-go\0', b'WG_PROCESS_FOREGROUND=1\0', '/usr/bin/wireguard-go', False),
    (None, None, 'wg-gw', False),                                                       # gone, or a zombie
])
def test_is_daemon_of(monkeypatch, cmdline, environ, dev, expected):
    _fake_proc(monkeypatch, cmdline, environ)
    assert wgsys.is_daemon_of(42, dev) is expected


@pytest.mark.parametrize('content, pid', [('1234\n', 1234), ('  77 extra\n', 77), ('', None), ('x\n', None)])
def test_read_pid(tmp_path, content, pid):
    pid_file = tmp_path / 'wg.pid'
    pid_file.write_text(content)
    assert wgsys.read_pid(str(pid_file)) == pid


def test_write_pid_makes_the_directory_and_a_0644_file_whatever_the_umask(tmp_path):
    pid_file = tmp_path / 'run' / 'lab' / 'wg-gw.pid'
    assert wgsys.read_pid(str(pid_file)) is None
    old = os.umask(0o077)
    try:
        wgsys.write_pid(str(pid_file), 4321)
    finally:
        os.umask(old)
    assert pid_file.read_text() == '4321\n'
    assert stat.S_IMODE(pid_file.stat().st_mode) == 0o644
    assert os.listdir(str(pid_file.parent)) == ['wg-gw.pid']


def test_clean_env_drops_wireguard_go_settings(monkeypatch):
    monkeypatch.setenv('WG_PROCESS_FOREGROUND', '1')
    monkeypatch.setenv('WG_TUN_FD', '3')
    monkeypatch.setenv('LOG_LEVEL', 'debug')
    monkeypatch.setenv('PATH', '/usr/sbin:/usr/bin')
    env = wgsys.clean_env()
    assert not [k for k in env if k.startswith('WG_')]
    assert 'LOG_LEVEL' not in env
    assert env['PATH'] == '/usr/sbin:/usr/bin'


class FakeCompleted(object):
    def __init__(self, returncode, stdout=b'', stderr=b''):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def test_setconf_gives_the_configuration_on_stdin_not_on_the_command_line(monkeypatch):
    seen = {}

    def fake_run(argv, **kwargs):
        seen.update(kwargs, argv=argv)
        return FakeCompleted(0)
    monkeypatch.setattr(wgsys.subprocess, 'run', fake_run)
    wgsys.setconf(None, 'wg-gw', '[Interface]\nPrivateKey = SECRET\n')
    assert seen['argv'] == ['wg', 'setconf', 'wg-gw', '/dev/stdin']
    assert seen['input'] == b'[Interface]\nPrivateKey = SECRET\n'
    assert not seen.get('shell')
    assert seen['timeout'] == 60


def test_run_failure_names_the_command_and_says_what_wg_said(monkeypatch):
    monkeypatch.setattr(wgsys.subprocess, 'run', lambda argv, **kw: FakeCompleted(1, stderr=b'Unable to access interface\n'))
    with pytest.raises(ModuleFailure) as err:
        wgsys.showconf(None, 'wg-gw')
    assert err.value.msg == 'wg showconf wg-gw failed (rc 1): Unable to access interface'


def test_run_missing_program_and_timeout(monkeypatch):
    def missing(argv, **_kwargs):
        raise OSError(errno.ENOENT, 'No such file or directory')
    monkeypatch.setattr(wgsys.subprocess, 'run', missing)
    with pytest.raises(ModuleFailure, match='cannot run wg: .*apt-get install wireguard-tools'):
        wgsys.showconf(None, 'wg0')

    def slow(argv, **_kwargs):
        raise subprocess.TimeoutExpired(argv, 60)
    monkeypatch.setattr(wgsys.subprocess, 'run', slow)
    with pytest.raises(ModuleFailure, match='wg showconf wg0 did not finish within 60 s'):
        wgsys.showconf(None, 'wg0')
