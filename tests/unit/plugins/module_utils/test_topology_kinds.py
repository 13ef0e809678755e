# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Topology documents with macvlan and vxlan links, and the engine's fast paths
that are pure (address text, the expanded document, netlink attribute parsing)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology import kind_fields
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_export import export_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import (
    expand_document as expand,
    module_document,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import (
    EXPANDED_KEY,
    is_link_local6,
    sort_addresses,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_diagram import render
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import (
    Planner,
    empty_record,
    new_record,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import rtnl_batch
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

KINDS = {
    'nodes': {'sw': {}, 'a': {}, 'me': {'kind': 'host'}},
    'links': [
        {'endpoints': ['sw:up0', {'node': 'a', 'name': 'up0', 'address': ['10.9.0.2/24']}]},
        {'kind': 'macvlan', 'endpoints': [{'node': 'a', 'name': 'mv0', 'address': ['10.9.1.2/24']}],
         'parent': 'sw:up0'},
        {'kind': 'vxlan', 'endpoints': ['a:vx0'], 'vni': 42, 'remote': '10.9.0.1',
         'parent': {'node': 'a', 'name': 'up0'}},
        {'kind': 'macvlan', 'endpoints': ['sw:mv9'], 'parent': 'me:eth0', 'mode': 'private', 'mtu': 1400},
    ],
}


def refused(doc):
    with pytest.raises(ValidationError) as info:
        expand(doc, 'p-')
    return info.value.option, info.value.value


def test_kind_links_expand_to_one_end_a_parent_and_the_link_options():
    links = expand(KINDS, 'p-')['links']
    assert links[1] == {'kind': 'macvlan', 'mtu': None, 'parent': {'node': 'sw', 'name': 'up0'},
                        'spec': {'mode': 'bridge'},
                        'endpoints': [{'node': 'a', 'name': 'mv0', 'address': ['10.9.1.2/24'], 'bridge': None}]}
    assert links[2]['spec'] == {'vni': 42, 'dstport': 4789, 'remote': '10.9.0.1'}
    assert links[3]['parent'] == {'node': 'me', 'name': 'eth0'} and links[3]['mtu'] == 1400


def with_link(link, nodes=None):
    return {'nodes': nodes or {'x': {}, 'y': {}}, 'links': [{'endpoints': ['x:e0', 'y:e0']}, link]}


@pytest.mark.parametrize('link, option, value', [
    ({'kind': 'macvlan', 'endpoints': ['x:mv0'], 'parent': 'x:eth9'}, 'links[1].parent.name', 'eth9'),
    ({'kind': 'macvlan', 'endpoints': ['x:mv0'], 'parent': 'z:e0'}, 'links[1].parent.node', 'z'),
    ({'kind': 'macvlan', 'endpoints': ['x:mv0'], 'parent': 'x:e0', 'mode': 'fast'}, 'links[1].mode', 'fast'),
    ({'kind': 'macvlan', 'endpoints': ['x:mv0']}, 'links[1].parent', None),
    ({'kind': 'macvlan', 'endpoints': ['x:e0'], 'parent': 'x:e0'}, 'links[1].parent', 'x:e0'),
    ({'kind': 'macvlan', 'endpoints': ['x:mv0'], 'parent': 'x:e0', 'vni': 3}, 'links[1].vni', 3),
    ({'kind': 'macvlan', 'endpoints': ['x:mv0', 'y:mv0'], 'parent': 'x:e0'}, 'links[1].endpoints',
     ['x:mv0', 'y:mv0']),
    ({'kind': 'macvlan', 'endpoints': [{'bridge': 'br0'}], 'parent': 'x:e0'}, 'links[1].endpoints[0].bridge',
     'br0'),
    ({'kind': 'macvlan', 'endpoints': ['x:e0'], 'parent': 'y:e0'}, 'links[1].endpoints[0].name', 'e0'),
    ({'kind': 'vxlan', 'endpoints': ['x:vx0']}, 'links[1].vni', None),
    ({'kind': 'vxlan', 'endpoints': ['x:vx0'], 'vni': 16777216}, 'links[1].vni', 16777216),
    ({'kind': 'vxlan', 'endpoints': ['x:vx0'], 'vni': 1, 'remote': '239.1.1.1'}, 'links[1].remote', '239.1.1.1'),
    ({'kind': 'vxlan', 'endpoints': ['x:vx0'], 'vni': 1, 'group': '239.1.1.1'}, 'links[1].group', '239.1.1.1'),
    ({'kind': 'vxlan', 'endpoints': ['x:vx0'], 'vni': 1, 'dstport': 0}, 'links[1].dstport', 0),
    ({'kind': 'gre', 'endpoints': ['x:g0']}, 'links[1].kind', 'gre'),
])
def test_kind_link_refusals_name_the_path_and_the_value(link, option, value):
    assert refused(with_link(link)) == (option, value)


def kind_link(index, kind, parent_index, elsewhere, spec, addresses=()):
    return {'index': index, 'kind': kind, 'mtu': 1500, 'up': True, 'master': None, 'peer_index': parent_index,
            'parent_index': parent_index, 'parent_elsewhere': elsewhere, 'spec': spec, 'addresses': list(addresses)}


def current_of(doc, links, exists=None):
    return {'netns': dict((n, exists is None or n in exists) for n in doc['nodes']), 'ns_exists': {},
            'links': links, 'routes': {},
            'rules': {}, 'sysctls': {}, 'resolv': {}, 'nft': {}}


def live(mv_mode='bridge', vni=42, mv_parent=2):
    veth = {'kind': 'veth', 'mtu': 1500, 'up': True, 'master': None, 'parent_index': None,
            'parent_elsewhere': False, 'spec': None}
    return {
        'sw': {'up0': dict(veth, index=2, peer_index=2, addresses=[]),
               'mv9': dict(kind_link(3, 'macvlan', 7, True, {'mode': 'private'}), mtu=1400)},
        'a': {'up0': dict(veth, index=2, peer_index=2, addresses=['10.9.0.2/24']),
              'mv0': kind_link(3, 'macvlan', mv_parent, True, {'mode': mv_mode}, ['10.9.1.2/24']),
              'vx0': kind_link(4, 'vxlan', 2, False, {'vni': vni, 'dstport': 4789, 'remote': '10.9.0.1',
                                                      'group': None, 'local': None})},
        'me': {'eth0': dict(veth, kind=None, index=7, peer_index=None, addresses=[])},
    }


def test_kind_links_in_place_need_nothing_and_drift_is_recreated():
    doc = expand(KINDS, 'p-')
    record = new_record('t', 'p-', doc)
    assert Planner('t', doc, 'p-', current_of(doc, live()), record).present() == []
    actions = Planner('t', doc, 'p-', current_of(doc, live(mv_mode='vepa', vni=7, mv_parent=5)), record).present()
    assert [a['text'] for a in actions] == [
        'delete link p-a:mv0 (it is not on p-sw:up0)',
        'add macvlan p-a:mv0 on p-sw:up0',
        'delete link p-a:vx0 (it differs: vni is 7, wanted 42)',
        'add vxlan p-a:vx0 on p-a:up0',
        'add address 10.9.1.2/24 to p-a:mv0',
    ]
    assert actions[1]['parent'] == {'node': 'sw', 'netns': 'p-sw', 'name': 'up0'}
    assert actions[3]['spec'] == {'vni': 42, 'dstport': 4789, 'remote': '10.9.0.1'}


def test_kind_links_come_after_their_parents_and_are_purged_like_others():
    doc = expand(KINDS, 'p-')
    links = dict((n, {}) for n in doc['nodes'])
    links['me'] = {'eth0': live()['me']['eth0']}
    actions = Planner('t', doc, 'p-', current_of(doc, links, ('me',)), empty_record('t', 'p-')).present()
    kinds = [a.get('kind') for a in actions if a['object'] == 'link']
    assert kinds == ['veth', 'macvlan', 'macvlan', 'vxlan']
    record = new_record('t', 'p-', doc)
    assert ['a', 'mv0'] in record['links'] and ['sw', 'mv9'] in record['links']
    fewer = expand(dict(KINDS, links=KINDS['links'][:1]), 'p-')
    actions = Planner('t', fewer, 'p-', current_of(fewer, live()), record).present()
    assert [a['text'] for a in actions] == ['delete link p-a:mv0 (no longer declared)',
                                            'delete link p-a:vx0 (no longer declared)',
                                            'delete link p-sw:mv9 (no longer declared)']


def test_a_missing_host_parent_is_refused_on_the_target():
    doc = expand(KINDS, 'p-')
    links = dict((n, {}) for n in doc['nodes'])
    with pytest.raises(ValidationError) as info:
        Planner('t', doc, 'p-', current_of(doc, links, ('me',)), empty_record('t', 'p-')).present()
    assert (info.value.option, info.value.value) == ('nodes.me', 'eth0')


def test_kind_links_in_the_diagram():
    text = render(expand(KINDS, 'p-'))
    assert 'n_a ---|"mv0 10.9.1.2/24 (macvlan bridge on up0)"| n_sw' in text
    assert 'n_a ---|"vx0 (vxlan 42 on up0 to 10.9.0.1)"| n_a' in text
    alone = expand({'nodes': {'a': {}}, 'links': [{'kind': 'vxlan', 'endpoints': ['a:vx0'], 'vni': 5}]}, '')
    assert 'n_a ---|"vx0 (vxlan 5)"| v_a_vx0' in render(alone)


def test_kind_fields_of_a_reading():
    macvlan = {'kind': 'macvlan', 'link_index': 4, 'link_netnsid': 0, 'data': {'mode': 4}}
    assert kind_fields(macvlan) == {'parent_index': 4, 'parent_elsewhere': True, 'spec': {'mode': 'bridge'}}
    vxlan = {'kind': 'vxlan', 'link_index': None, 'link_netnsid': None,
             'data': {'vni': 9, 'dstport': 4789, 'peer': '239.0.0.9', 'local': None, 'link': 0}}
    assert kind_fields(vxlan) == {'parent_index': None, 'parent_elsewhere': False,
                                  'spec': {'vni': 9, 'dstport': 4789, 'group': '239.0.0.9', 'remote': None,
                                           'local': None}}
    assert kind_fields({'kind': 'veth', 'link_index': 3, 'link_netnsid': None, 'data': None})['spec'] is None


def test_vxlan_data_reads_back():
    data = rtnl_batch.vxlan_data(42, 4790, '2001:db8::1', '2001:db8::2', 3)
    attrs = rtnl_batch.parse_attrs(data, 0, len(data))
    assert rtnl_batch.KIND_DATA['vxlan'](attrs) == {'vni': 42, 'dstport': 4790, 'peer': '2001:db8::1',
                                                    'local': '2001:db8::2', 'link': 3}


def test_parse_attrs_keeps_only_the_wanted_types():
    data = rtnl_batch.attr_u32(1, 7) + rtnl_batch.attr_str(3, 'eth0') + rtnl_batch.attr_u32(4, 1500)
    assert sorted(rtnl_batch.parse_attrs(data, 0, len(data), frozenset((3, 4)))) == [3, 4]


@pytest.mark.parametrize('text', ['10.1.2.3', '2001:db8::1', '2001:db8:0:1:0:0:0:1', 'fe80::1', '::1', '::',
                                  '::ffff:10.1.2.3', '::10.1.2.3', '1:0:0:1:0:0:0:1', '2001:0:0:1::', 'ff02::1:2'])
def test_address_text_is_what_ipaddress_writes(text):
    addr = ipaddress.ip_address(text)
    family = socket.AF_INET if addr.version == 4 else socket.AF_INET6
    assert rtnl_batch.address_text(family, addr.packed) == addr.compressed


@pytest.mark.parametrize('text, expected', [('fe80::1/64', True), ('febf::1/64', True), ('fec0::1/64', False),
                                            ('fe8::1/64', False), ('10.0.0.1/8', False), ('2001:db8::1/64', False)])
def test_link_local6_from_the_text(text, expected):
    assert is_link_local6(text) is expected


def test_sort_addresses_puts_ipv4_first():
    assert sort_addresses(['2001:db8::1/64', '10.0.0.9/8', '10.0.0.1/8']) == ['10.0.0.1/8', '10.0.0.9/8',
                                                                              '2001:db8::1/64']
    assert sort_addresses(['2001:db8::1/64']) == ['2001:db8::1/64']


def test_the_module_takes_the_document_the_action_plugin_expanded_for_its_prefix():
    doc = expand(KINDS, 'p-')
    assert module_document(dict(doc, **{EXPANDED_KEY: 'p-'}), 'p-') == doc
    # Expanded for another prefix (or by hand): validated again.
    with pytest.raises(ValidationError):
        module_document(dict(doc, **{EXPANDED_KEY: 'q-'}), 'p-')


def test_export_of_kind_links_applies_back():
    veth = {'kind': 'veth', 'mtu': 1500, 'master': None, 'peer': 'up0', 'addresses': []}
    facts = {
        'p-sw': {'links': {'up0': dict(veth, peer_netns='p-a')}},
        'p-a': {'links': {
            'up0': dict(veth, peer_netns='p-sw', addresses=['10.9.0.2/24']),
            'mv0': {'kind': 'macvlan', 'mtu': 1500, 'master': None, 'addresses': ['10.9.1.2/24', 'fe80::1/64'],
                    'lower': 'up0', 'lower_netns': 'p-sw', 'options': {'mode': 'bridge'}},
            'vx0': {'kind': 'vxlan', 'mtu': 1450, 'master': None, 'addresses': [], 'lower': 'up0',
                    'lower_netns': 'p-a', 'options': {'vni': 42, 'dstport': 4789, 'remote': '10.9.0.1',
                                                      'group': None, 'local': None}},
            'mv1': {'kind': 'macvlan', 'mtu': 1500, 'master': None, 'addresses': [], 'lower': 'eth0',
                    'lower_netns': '', 'options': {'mode': 'bridge'}},
        }},
    }
    doc = export_document(facts, 'p-')
    assert doc['links'][1:] == [
        {'kind': 'macvlan', 'endpoints': [{'node': 'a', 'name': 'mv0', 'address': ['10.9.1.2/24']}], 'mtu': 1500,
         'parent': {'node': 'sw', 'name': 'up0'}, 'mode': 'bridge'},
        {'kind': 'vxlan', 'endpoints': [{'node': 'a', 'name': 'vx0', 'address': []}], 'mtu': 1450,
         'parent': {'node': 'a', 'name': 'up0'}, 'vni': 42, 'remote': '10.9.0.1'},
    ]
    expand(doc, 'p-')
