# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One topology across hosts: each host's part, VNIs, underlay, diagram groups (pure logic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import expand_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import topology_hosts as th
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_diagram import render
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

HOSTS = ['h1', 'h2', 'h3']
DOC = {
    'nodes': {'a': {'host': 'h1', 'forwarding': True}, 'b': {'host': 'h2'}, 'c': {'host': 'h1'},
              'd': {'host': 'h3'}},
    'bridges': {'br0': {'node': 'c', 'address': ['10.9.0.1/24']}},
    'links': [
        {'endpoints': [{'node': 'a', 'name': 'eth0', 'address': ['10.0.0.1/24']},
                       {'node': 'b', 'name': 'eth0', 'address': ['10.0.0.2/24']}]},
        {'endpoints': ['a:eth1', {'bridge': 'br0'}]},
        {'endpoints': [{'node': 'a', 'name': 'eth2', 'address': ['10.0.1.1/24']},
                       {'node': 'd', 'name': 'eth0', 'address': ['10.0.1.2/24']}], 'vni': 4242, 'mtu': 1400},
    ],
    'validate': [{'from': 'a', 'type': 'ping', 'target': '10.0.0.2'},
                 {'from': 'b', 'type': 'ping', 'target': '10.0.0.1'}],
}


def underlay():
    return dict((h, th.underlay_of(h, {'topology_underlay_address': '192.0.2.%d' % (i + 1),
                                       'topology_underlay_interface': 'eth0'}))
                for i, h in enumerate(HOSTS))


def part(host, doc=None, under=None):
    return th.split(copy.deepcopy(doc or DOC), 'lab', host, HOSTS, under or underlay())


def test_single_host_documents_are_left_alone():
    assert not th.has_hosts({'nodes': {'a': {}, 'b': None}})
    assert th.has_hosts(DOC)


def test_whole_document_validates_without_host_keys():
    whole = expand_document(th.strip_hosts(DOC), 'p-')
    assert sorted(whole['nodes']) == ['a', 'b', 'c', 'd']
    assert 'host' in DOC['nodes']['a'] and 'vni' in DOC['links'][2]


def test_each_host_gets_its_nodes_links_and_checks():
    one, links_map = part('h1')
    assert sorted(one['nodes']) == ['a', 'c', 'underlay']
    assert one['nodes']['underlay'] == {'kind': 'host'}
    assert list(one['bridges']) == ['br0']
    assert [link.get('kind', 'veth') for link in one['links']] == ['veth', 'vxlan', 'vxlan']
    assert links_map == {0: 1, 1: 0, 2: 2}
    assert [c['from'] for c in one['validate']] == ['a']
    two, links_map = part('h2')
    assert sorted(two['nodes']) == ['b', 'underlay'] and links_map == {0: 0}
    assert [c['from'] for c in two['validate']] == ['b']
    for piece in (one, two):
        expand_document(piece, 'p-')


def test_vxlan_ends_mirror_each_other():
    one, dummy = part('h1')
    two, dummy = part('h2')
    a, b = one['links'][1], two['links'][0]
    assert a['endpoints'] == [{'node': 'a', 'name': 'eth0', 'address': ['10.0.0.1/24']}]
    assert (a['local'], a['remote']) == (b['remote'], b['local']) == ('192.0.2.1', '192.0.2.2')
    assert a['vni'] == b['vni'] and a['dstport'] == b['dstport'] == th.VXLAN_PORT
    assert a['mtu'] == b['mtu'] == 1500 - th.VXLAN_OVERHEAD
    assert a['parent'] == {'node': 'underlay', 'name': 'eth0'}
    assert one['links'][2]['vni'] == 4242 and one['links'][2]['mtu'] == 1400


def test_vni_is_deterministic_and_independent_of_link_order():
    one, dummy = part('h1')
    doc = copy.deepcopy(DOC)
    doc['links'].reverse()
    again, dummy = part('h1', doc)
    assert [x for x in again['links'] if x.get('vni') != 4242 and x.get('kind')][0]['vni'] == one['links'][1]['vni']
    other = th.split(copy.deepcopy(DOC), 'lab2', 'h1', HOSTS, underlay())[0]
    assert other['links'][1]['vni'] != one['links'][1]['vni']


def test_hashed_vni_steps_past_a_taken_one():
    ends = [('a', 'eth0', None), ('b', 'eth0', None)]
    hashed = th.allocate_vnis('lab', [(0, ends, None)])[0]
    both = th.allocate_vnis('lab', [(0, ends, None), (1, [('x', 'y', None)], hashed)])
    assert both[1] == hashed and both[0] == hashed % th.VNI_RANGE[1] + 1


def test_host_node_of_the_document_carries_the_underlay():
    doc = copy.deepcopy(DOC)
    doc['nodes']['me'] = {'kind': 'host'}
    one, dummy = part('h1', doc)
    assert 'underlay' not in one['nodes'] and one['links'][1]['parent']['node'] == 'me'


def test_underlay_sources_in_order():
    facts = {'address': '198.51.100.1', 'interface': 'ens3', 'mtu': 9000}
    assert th.underlay_of('x', {'ansible_host': 'box', 'ansible_default_ipv4': facts}) == dict(
        facts, source='hostvars[x].ansible_default_ipv4.address')
    assert th.underlay_of('x', {'ansible_host': '198.51.100.7'})['source'] == 'hostvars[x].ansible_host'
    assert th.underlay_of('x', {'ansible_host': '198.51.100.7', 'topology_underlay_address': '192.0.2.9'}
                          )['address'] == '192.0.2.9'


@pytest.mark.parametrize('change, option, value, words', [
    (lambda d: d['nodes']['b'].update(host='h9'), 'nodes.b.host', 'h9', 'ansible_play_hosts_all: h1, h2, h3'),
    (lambda d: d['nodes']['b'].pop('host'), 'nodes.b.host', None, 'is required'),
    (lambda d: d['nodes'].update(me={'kind': 'host', 'host': 'h1'}), 'nodes.me.host', 'h1', 'host node'),
    (lambda d: d['links'][0].update(vni=4242), 'links[2].vni', 4242, 'links[0] too'),
    (lambda d: d['links'][2].update(vni=2 ** 24), 'links[2].vni', 2 ** 24, 'is not a VNI'),
    (lambda d: d['links'][1].update(vni=7), 'links[1].vni', 7, 'only used by a link between'),
    (lambda d: d['links'][2].update(mtu=1480), 'links[2].mtu', 1480, 'encapsulation is 1450'),
    (lambda d: d['links'].append({'endpoints': ['b:eth9', {'bridge': 'br0'}]}), 'links[3].endpoints[1].bridge',
     'br0', 'cannot end a link between hosts'),
    (lambda d: d['nodes'].update(me={'kind': 'host'}) or d['validate'].append({'from': 'me', 'type': 'ping',
                                                                               'target': '10.0.0.1'}),
     'validate[2].from', 'me', 'host node'),
])
def test_bad_documents_name_path_and_value(change, option, value, words):
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(ValidationError) as err:
        part('h1', doc)
    assert err.value.option == option and err.value.value == value and words in str(err.value)


@pytest.mark.parametrize('hostvars, option, words', [
    ({'topology_underlay_interface': 'eth0'}, 'hostvars[h2].topology_underlay_address', 'is not set'),
    ({'topology_underlay_address': 'box', 'topology_underlay_interface': 'eth0'},
     'hostvars[h2].topology_underlay_address', 'is not an IP address'),
    ({'topology_underlay_address': '192.0.2.1', 'topology_underlay_interface': 'eth0'},
     'hostvars[h2].topology_underlay_address', 'of host h1 too'),
])
def test_bad_underlay_is_refused(hostvars, option, words):
    under = underlay()
    under['h2'] = th.underlay_of('h2', hostvars)
    with pytest.raises(ValidationError) as err:
        part('h1', under=under)
    assert err.value.option == option and words in str(err.value)


def test_missing_underlay_interface_is_refused_on_its_host_only():
    under = underlay()
    under['h1']['interface'] = None
    part('h2', under=under)
    with pytest.raises(ValidationError) as err:
        part('h1', under=under)
    assert err.value.option == 'hostvars[h1].topology_underlay_interface'


def test_errors_of_a_part_name_the_users_link():
    err = th.remap_links(ValidationError('links[0].endpoints[0].name', 'x', 'bad'), {0: 5})
    assert err.option == 'links[5].endpoints[0].name'
    assert th.remap_links(ValidationError('nodes.a', 1, 'bad'), {0: 5}).option == 'nodes.a'


@pytest.mark.parametrize('fmt, opening', [('mermaid', '  subgraph h_h1["h1"]'), ('dot', '  subgraph cluster_h_h1 {')])
def test_diagram_groups_nodes_by_host(fmt, opening):
    whole = expand_document(th.strip_hosts(DOC), 'p-')
    text = render(whole, fmt, th.groups(DOC))
    lines = text.splitlines()
    start = lines.index(opening)
    block = lines[start:start + 5]
    assert any('n_a' in line for line in block) and any('b_br0' in line for line in block)
    assert any('n_c' in line for line in block) and not any('n_b' in line for line in block)
    assert render(whole, fmt) == render(whole, fmt, {})
