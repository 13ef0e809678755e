# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of management_connection (route_metric and policy_routes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.filter.management import management_connection

VAR = 'x_management_address'


def test_explicit_address_wins():
    assert management_connection(' 203.0.113.9 ', 'ssh', '198.51.100.1 5 10.0.2.15 22', VAR) == dict(
        address='203.0.113.9', source='', known=True, note='')


def test_none_means_nothing_to_protect():
    result = management_connection('none', 'ssh', '', VAR)
    assert result['known'] and result['address'] == ''
    assert result['note'] == 'no management connection to protect (x_management_address=none)'


@pytest.mark.parametrize('connection', ['local', 'containers.podman.podman', 'linuxnet.plumbing.netns',
                                        'community.docker.docker_api'])
def test_local_connections(connection):
    result = management_connection('', connection, '198.51.100.1 5 10.0.2.15 22', VAR)
    assert result['known'] and result['address'] == ''
    assert 'does not use the network' in result['note']


def test_ssh_connection_gives_both_ends():
    assert management_connection('', 'ansible.builtin.ssh', '203.0.113.9 51000 10.0.2.15 22', VAR) == dict(
        address='203.0.113.9', source='10.0.2.15', known=True, note='')


@pytest.mark.parametrize('connection', ['ssh', None, 'paramiko'])
def test_unknown_without_ssh_connection(connection):
    result = management_connection('', connection, '', VAR)
    assert result['known'] is False
    assert result['note'].endswith('set x_management_address')
