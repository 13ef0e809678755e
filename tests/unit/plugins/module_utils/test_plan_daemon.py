# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""netns_daemon's pure decisions: options, the action, what absent removes;
and the process reading of _system.daemon against this test's own process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import daemon as plan
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import daemon as proc


def params(**over):
    base = dict(name='d', state='started', command=['/usr/sbin/dnsmasq', '--conf-file=/etc/x.conf'],
                pidfile='/run/x.pid', daemonizes=True, log=None, files=[], directories=[], restart=False,
                ready_timeout=5.0, package=None)
    base.update(over)
    return base


def test_good_options_are_normalised():
    spec = plan.check_options(params(files=[{'path': '/etc//x.conf', 'content': 'a', 'mode': '0640',
                                             'validate': ['dnsmasq', '--test', '--conf-file=%s']}],
                                     directories=[{'path': '/etc/lnp', 'mode': 0o750}]))
    assert spec['files'][0]['path'] == '/etc/x.conf'
    assert spec['files'][0]['mode'] == 0o640
    assert spec['directories'] == [{'path': '/etc/lnp', 'mode': 0o750}]


@pytest.mark.parametrize('over, option', [
    (dict(pidfile='run/x.pid'), 'pidfile'),
    (dict(pidfile='/run/../x.pid'), 'pidfile'),
    (dict(command=[]), 'command'),
    (dict(command=['']), 'command[0]'),
    (dict(log='x.log'), 'log'),
    (dict(ready_timeout=0), 'ready_timeout'),
    (dict(files=[{'path': 'x.conf', 'content': ''}]), 'files[0].path'),
    (dict(files=[{'path': '/x.conf', 'content': '', 'mode': 'rw'}]), 'files[0].mode'),
    (dict(files=[{'path': '/x.conf', 'content': '', 'validate': ['dnsmasq', '--test']}]), 'files[0].validate'),
    (dict(files=[{'path': '/x.conf', 'content': ''}, {'path': '/x.conf', 'content': ''}]), 'files[1].path'),
    (dict(files=[{'path': '/run/x.pid', 'content': ''}]), 'pidfile'),
    (dict(directories=[{'path': 'etc'}]), 'directories[0].path'),
])
def test_bad_options_name_the_option(over, option):
    with pytest.raises(ValidationError) as exc:
        plan.check_options(params(**over))
    assert exc.value.option == option


def test_stopped_and_absent_need_no_command():
    assert plan.check_options(params(state='absent', command=None))['command'] == []


def test_validator_argv_replaces_the_placeholder():
    assert plan.validator_argv(['d', '--test', '--conf-file=%s'], '/tmp/a') == ['d', '--test', '--conf-file=/tmp/a']


@pytest.mark.parametrize('state, running, changed, restart, action', [
    ('started', False, False, False, 'start'),
    ('started', False, True, True, 'start'),
    ('started', True, False, False, 'none'),
    ('started', True, True, False, 'restart'),
    ('started', True, False, True, 'restart'),
    ('stopped', True, False, False, 'stop'),
    ('stopped', False, False, False, 'none'),
    ('absent', True, True, False, 'stop'),
    ('absent', False, True, False, 'none'),
])
def test_decide(state, running, changed, restart, action):
    assert plan.decide(state, running, changed, restart) == action


def test_removable_directories_deepest_first_and_only_when_empty():
    tree = {'/etc/l': ['d', 'other.conf'], '/etc/l/d': ['x.conf'], '/run/l': ['x.pid', 'y.pid'], '/gone': None}
    dirs = [{'path': p, 'mode': 0o755} for p in ('/etc/l', '/etc/l/d', '/run/l', '/gone')]
    assert plan.removable_directories(dirs, tree.get, ['/etc/l/d/x.conf', '/run/l/x.pid']) == ['/etc/l/d']
    tree['/etc/l'] = ['d']
    assert plan.removable_directories(dirs, tree.get, ['/etc/l/d/x.conf']) == ['/etc/l/d', '/etc/l']


def test_running_pid_matches_command_and_namespace(tmp_path):
    pidfile = tmp_path / 'p.pid'
    pidfile.write_text('%d\n' % os.getpid())
    argv = proc.process_cmdline(os.getpid())
    ident = proc.process_netns(os.getpid())
    assert proc.running_pid(str(pidfile), argv, ident) == os.getpid()
    assert proc.running_pid(str(pidfile), argv + ['x'], ident) is None
    assert proc.running_pid(str(pidfile), argv, (0, 0)) is None
    pidfile.write_text('garbage')
    assert proc.running_pid(str(pidfile), argv, ident) is None
    assert proc.running_pid(str(tmp_path / 'missing.pid'), argv, ident) is None


def test_find_executable():
    assert proc.find_executable(sys.executable) == sys.executable
    assert proc.find_executable('/nonexistent/lnp-daemon') is None
    assert proc.find_executable('lnp-no-such-program-here') is None
