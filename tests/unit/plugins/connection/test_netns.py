# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the netns connection plugin (the namespace itself is tested
by the connection_netns integration target)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.linuxnet.plumbing.plugins.connection import netns as plugin


def test_bind_plan_binds_entries_that_exist_in_etc(tmp_path):
    etc = tmp_path / 'etc'
    (etc / 'netns' / 'ns1').mkdir(parents=True)
    for name in ('resolv.conf', 'hosts', 'only-in-netns.conf'):
        (etc / 'netns' / 'ns1' / name).write_text(u'x\n')
    (etc / 'resolv.conf').write_text(u'host\n')
    (etc / 'hosts').write_text(u'host\n')
    binds, skipped = plugin.bind_plan('ns1', etc_dir=str(etc / 'netns'), target_dir=str(etc))
    source = str(etc / 'netns' / 'ns1')
    assert binds == [(os.path.join(source, 'hosts'), str(etc / 'hosts')),
                     (os.path.join(source, 'resolv.conf'), str(etc / 'resolv.conf'))]
    assert skipped == [os.path.join(source, 'only-in-netns.conf')]


def test_bind_plan_without_a_netns_directory_binds_nothing(tmp_path):
    assert plugin.bind_plan('ns1', etc_dir=str(tmp_path / 'netns'), target_dir=str(tmp_path)) == ([], [])


class FakeConnection(plugin.Connection):
    """Only the option lookup, without a play context or a loader."""

    def __init__(self, options, remote_addr=None):  # pylint: disable=super-init-not-called
        self._fake_options = options
        self._play_context = type('PlayContext', (), {'remote_addr': remote_addr})()

    def get_option(self, option, hostvars=None):
        return self._fake_options.get(option)


def test_name_comes_from_remote_addr():
    assert FakeConnection({'remote_addr': 'ns1'})._netns_name() == 'ns1'


def test_netns_name_beats_remote_addr():
    assert FakeConnection({'remote_addr': 'host1', 'netns_name': 'ns1'})._netns_name() == 'ns1'


@pytest.mark.parametrize('options, option, value', [
    ({'remote_addr': '../ns1'}, 'ansible_host', '../ns1'),
    ({'remote_addr': 'ns1', 'netns_name': 'a/b'}, 'ansible_netns_name', 'a/b'),
    ({'remote_addr': '..'}, 'ansible_host', '..'),
    ({'remote_addr': 'n' * 256}, 'ansible_host', 'n' * 256),
])
def test_invalid_names_fail_naming_option_and_value(options, option, value):
    with pytest.raises(AnsibleConnectionFailure) as exc:
        FakeConnection(options)._netns_name()
    assert "option '%s'" % option in str(exc.value)
    assert repr(value) in str(exc.value)
