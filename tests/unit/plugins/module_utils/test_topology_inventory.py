# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A topology document as an Ansible inventory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import expand_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_inventory import group_name, inventory

DOC = {
    'nodes': {'h1': {}, 'r1': {'forwarding': True}, 'sw': {}, 'me': {'kind': 'host'}},
    'bridges': {'br0': {'node': 'sw', 'address': ['10.9.0.1/24']}},
    'links': [
        {'endpoints': [{'node': 'h1', 'name': 'eth0', 'address': ['10.9.1.2/24', '2001:db8:9::2/64']},
                       {'node': 'r1', 'name': 'eth0', 'address': ['10.9.1.1/24']}]},
        {'endpoints': [{'node': 'r1', 'name': 'eth1'}, {'bridge': 'br0'}]},
        {'endpoints': [{'node': 'me', 'name': 'lab0', 'address': ['10.9.2.1/24']}, 'h1:up0']},
        {'kind': 'macvlan', 'endpoints': [{'node': 'sw', 'name': 'mv0', 'address': ['10.9.3.1/24']}],
         'parent': 'sw:br0'},
    ],
}


def test_every_namespace_node_is_a_host_named_as_its_namespace():
    inv = inventory(expand_document(DOC, 'lab-'), 'my lab', 'lab-', '/usr/bin/python3')
    group = inv['all']['children']['my_lab']
    assert group['vars'] == {'ansible_connection': 'linuxnet.plumbing.netns',
                             'ansible_python_interpreter': '/usr/bin/python3', 'topology_name': 'my lab'}
    assert sorted(group['hosts']) == ['lab-h1', 'lab-r1', 'lab-sw']
    assert group['hosts']['lab-h1'] == {
        'ansible_netns_name': 'lab-h1', 'topology_node': 'h1', 'topology_forwarding': False,
        'topology_interfaces': {'eth0': ['10.9.1.2/24', '2001:db8:9::2/64'], 'up0': []}}
    assert group['hosts']['lab-r1']['topology_forwarding'] is True
    assert group['hosts']['lab-r1']['topology_interfaces'] == {'eth0': ['10.9.1.1/24'], 'eth1': []}
    # the bridge and the macvlan are interfaces of their node; the port is not listed
    assert group['hosts']['lab-sw']['topology_interfaces'] == {'br0': ['10.9.0.1/24'], 'mv0': ['10.9.3.1/24']}


def test_a_node_without_links_has_no_interfaces():
    inv = inventory(expand_document({'nodes': {'lone': {}}}, ''), 'x', '', 'python3')
    assert inv['all']['children']['x']['hosts'] == {
        'lone': {'ansible_netns_name': 'lone', 'topology_node': 'lone', 'topology_interfaces': {},
                 'topology_forwarding': False}}


def test_group_names_are_valid_inventory_names():
    assert group_name('lnp-mh-multihop') == 'lnp_mh_multihop'
    assert group_name('2labs') == '_2labs'
    assert group_name('ok_name') == 'ok_name'
