# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology document: expansion, validation, planning, diagram, export (pure logic)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import (
    expand_document as expand,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import (
    bridge_port_name,
    netns_names,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_diagram import render
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_export import export_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import (
    Planner,
    empty_record,
    new_record,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

LAB = {
    'nodes': {
        'h1': {'routes': [{'dest': 'default', 'gateway': '10.0.1.1'}]},
        'r1': {'forwarding': True},
        'sw': {},
        'h3': {},
    },
    'bridges': {'br0': {'node': 'sw', 'address': ['10.0.3.1/24']}},
    'links': [
        {'endpoints': [{'node': 'h1', 'name': 'eth0', 'address': ['10.0.1.2/24']},
                       {'node': 'r1', 'name': 'eth0', 'address': ['10.0.1.1/24']}], 'mtu': 1400},
        {'endpoints': ['h3:eth0', {'bridge': 'br0'}]},
    ],
    'validate': [{'from': 'h1', 'type': 'ping', 'target': '10.0.1.1'}],
}


def lab(**changes):
    doc = copy.deepcopy(LAB)
    doc.update(changes)
    return doc


def refused(doc, prefix=''):
    with pytest.raises(ValidationError) as info:
        expand(doc, prefix)
    return info.value.option, info.value.value


def test_expand_writes_shorthands_out_and_names_bridge_ports():
    doc = expand(lab())
    ends = doc['links'][1]['endpoints']
    assert ends[0] == {'node': 'h3', 'name': 'eth0', 'bridge': None, 'address': []}
    assert ends[1] == {'node': 'sw', 'name': 'h3-eth0', 'bridge': 'br0', 'address': []}
    assert doc['nodes']['h3'] == {'kind': 'netns', 'forwarding': None, 'sysctls': {}, 'nameservers': [],
                                  'routes': [], 'rules': [], 'nft': []}
    assert netns_names(doc, 'lab-') == {'h1': 'lab-h1', 'r1': 'lab-r1', 'sw': 'lab-sw', 'h3': 'lab-h3'}


def test_bridge_port_name_fits_an_interface_name():
    assert bridge_port_name('br0', 'h1', 'eth0') == 'h1-eth0'
    long_name = bridge_port_name('br0', 'a-long-node-name', 'eth0')
    assert len(long_name) <= 15
    assert long_name == bridge_port_name('br0', 'a-long-node-name', 'eth0')


@pytest.mark.parametrize('doc, option, value', [
    (lab(links=[{'endpoints': ['h1:eth0', 'nope:eth0']}]), 'links[0].endpoints[1].node', 'nope'),
    (lab(links=[{'endpoints': ['h1:eth0', {'bridge': 'br9'}]}]), 'links[0].endpoints[1].bridge', 'br9'),
    (lab(links=[{'endpoints': ['h1:eth0', 'r1:eth0']}, {'endpoints': ['h1:a-very-long-name0', 'r1:eth1']}]),
     'links[1].endpoints[0].name', 'a-very-long-name0'),
    (lab(links=[{'endpoints': ['h1:eth0', 'r1:eth0']}, {'endpoints': ['h1:eth0', 'r1:eth1']}]),
     'links[1].endpoints[0].name', 'eth0'),
    (lab(links=[{'endpoints': [{'node': 'r1', 'name': 'e0', 'address': ['10.9.0.1/24']}, 'h1:e0']},
                {'endpoints': [{'node': 'r1', 'name': 'e1', 'address': ['10.9.0.7/24']}, 'h3:e0']}]),
     'links[1].endpoints[0].address[0]', '10.9.0.7/24'),
    (lab(nodes={'h1': {'routes': [{'dest': 'default', 'gateway': '10.7.0.1'}]}, 'r1': {}, 'sw': {}, 'h3': {}}),
     'nodes.h1.routes[0].gateway', '10.7.0.1'),
    (lab(nodes={'h1': {'routes': [{'dest': '10.8.0.1/24', 'gateway': '10.0.1.1'}]}, 'r1': {}, 'sw': {}, 'h3': {}}),
     'nodes.h1.routes[0].dest', '10.8.0.1/24'),
    (lab(links=[{'endpoints': [{'node': 'h1', 'name': 'eth0', 'address': ['10.0.1.2']}, 'r1:eth0']}]),
     'links[0].endpoints[0].address[0]', '10.0.1.2'),
    (lab(links=[{'endpoints': ['h1', 'r1:eth0']}]), 'links[0].endpoints[0]', 'h1'),
    (lab(links=[{'endpoints': ['h1:eth0']}]), 'links[0].endpoints', ['h1:eth0']),
    (lab(validate=[{'from': 'x', 'type': 'ping', 'target': '10.0.1.1'}]), 'validate[0].from', 'x'),
    (lab(validate=[{'from': 'h1', 'type': 'smoke', 'target': '10.0.1.1'}]), 'validate[0].type', 'smoke'),
    (lab(nodes={'h1': {'rules': [{'priority': 100, 'table': 'nosuch'}]}}), 'nodes.h1.rules[0].table', 'nosuch'),
    (lab(nodes={'h1': {'dnat': [{'name': 'd', 'port': 99999, 'to': ['10.0.0.1']}]}}), 'nodes.h1.dnat[0].port', 99999),
    (lab(nodes={'h1': {'firewall': [{'name': 'f', 'chain': 'sideways', 'action': 'drop'}]}}),
     'nodes.h1.firewall[0].chain', 'sideways'),
    (lab(nodes={'h1': {'colour': 'red'}}), 'nodes.h1.colour', 'red'),
    (lab(nodes={'h1': {}, 'me': {'kind': 'host', 'forwarding': True}}), 'nodes.me.forwarding', True),
])
def test_refusals_name_the_path_and_the_value(doc, option, value):
    assert refused(doc) == (option, value)


def test_a_namespace_name_with_a_slash_is_refused():
    assert refused(lab(), prefix='a/') == ('nodes.h1', 'a/h1')


def current_of(doc, exists=(), links=None):
    return {'netns': dict((n, n in exists) for n in doc['nodes']), 'ns_exists': {}, 'links': links or {},
            'routes': {}, 'rules': {}, 'sysctls': {}, 'resolv': {}, 'nft': {}}


def test_plan_from_nothing_creates_in_order():
    doc = expand(lab())
    actions = Planner('t', doc, 'p-', current_of(doc), empty_record('t', 'p-')).present()
    kinds = [(a['action'], a['object']) for a in actions]
    assert kinds[:4] == [('add', 'namespace')] * 4
    links = [a for a in actions if a['object'] == 'link']
    assert [a['kind'] for a in links] == ['bridge', 'veth', 'veth']
    # The bridge port is the side the pair is created from (it takes its master at once).
    assert links[2]['name'] == 'h3-eth0' and links[2]['master'] == 'br0' and links[2]['peer']['name'] == 'eth0'
    assert kinds.index(('add', 'route')) > kinds.index(('add', 'address'))
    assert ('change', 'sysctl') in kinds


def veth(index, peer_index, addresses=(), mtu=1500, master=None):
    return {'index': index, 'kind': 'veth', 'mtu': mtu, 'up': True, 'master': master, 'peer_index': peer_index,
            'addresses': list(addresses)}


def test_foreign_namespace_refused_unless_adopted():
    doc = expand({'nodes': {'a': {}}})
    current = current_of(doc, exists=('a',))
    with pytest.raises(ValidationError) as info:
        Planner('t', doc, 'p-', current, empty_record('t', 'p-')).present()
    assert (info.value.option, info.value.value) == ('nodes.a', 'p-a')
    assert Planner('t', doc, 'p-', current, empty_record('t', 'p-'), adopt=True).present() == []


def test_purge_deletes_recorded_links_only():
    doc = expand({'nodes': {'a': {}, 'b': {}}, 'links': [{'endpoints': ['a:e0', 'b:e0']}]})
    record = new_record('t', 'p-', doc)
    record['links'] += [['a', 'old0'], ['b', 'old0']]
    links = {'a': {'e0': veth(2, 2), 'old0': veth(3, 3), 'hand0': veth(4, 4)},
             'b': {'e0': veth(2, 2), 'old0': veth(3, 3)}}
    actions = Planner('t', doc, 'p-', current_of(doc, ('a', 'b'), links), record).present()
    assert [a['text'] for a in actions] == ['delete link p-a:old0 (no longer declared)']


def test_drift_is_repaired():
    doc = expand({'nodes': {'a': {}, 'b': {}},
                  'links': [{'endpoints': [{'node': 'a', 'name': 'e0', 'address': ['10.1.0.1/24']}, 'b:e0'],
                             'mtu': 1400}]})
    record = new_record('t', 'p-', doc)
    links = {'a': {'e0': veth(2, 2, ['10.1.0.9/24', 'fe80::1/64'], mtu=1500)}, 'b': {'e0': veth(2, 2, mtu=1400)}}
    actions = Planner('t', doc, 'p-', current_of(doc, ('a', 'b'), links), record).present()
    assert [a['text'] for a in actions] == [
        "change link p-a:e0 {'mtu': 1400} (was {'mtu': 1500})",
        'delete address 10.1.0.9/24 from p-a:e0',
        'add address 10.1.0.1/24 to p-a:e0',
    ]


def test_absent_removes_recorded_namespaces_and_host_links():
    doc = expand({'nodes': {'a': {}, 'me': {'kind': 'host'}}, 'links': [{'endpoints': ['a:e0', 'me:tpl0']}]})
    record = new_record('t', 'p-', doc)
    current = current_of(doc, ('a', 'me'), {'me': {'tpl0': veth(9, 2)}, 'a': {'e0': veth(2, 9)}})
    current['ns_exists'] = {'p-a': True}
    engine_view = dict(current, netns={'a': True})
    actions = Planner('t', None, 'p-', engine_view, record).absent()
    assert [a['text'] for a in actions] == ['delete link host:tpl0', 'delete namespace p-a']


def test_diagram_formats():
    doc = expand(lab())
    text = render(doc)
    assert text.startswith('graph LR\n')
    assert 'n_h1 ---|"eth0 10.0.1.2/24 -- eth0 10.0.1.1/24"| n_r1' in text
    assert 'b_br0{{"br0 (bridge in sw) 10.0.3.1/24"}}' in text
    dot = render(doc, 'dot')
    assert dot.startswith('graph topology {') and 'n_h3 -- b_br0 [label="eth0 -- h3-eth0"];' in dot


def test_export_round_trips_through_expand():
    facts = {
        'p-a': {'links': {'lo': {'kind': None, 'mtu': 65536, 'addresses': ['127.0.0.1/8']},
                          'e0': {'kind': 'veth', 'mtu': 1400, 'master': None, 'peer': 'e0', 'peer_netns': 'p-b',
                                 'addresses': ['10.1.0.1/24', 'fe80::1/64']}},
                'routes': [{'table': 254, 'proto': 'static', 'type': 'unicast', 'nexthops': None,
                            'dest': 'default', 'gateway': '10.1.0.2', 'dev': 'e0', 'metric': 0},
                           {'table': 254, 'proto': 'kernel', 'type': 'unicast', 'nexthops': None,
                            'dest': '10.1.0.0/24', 'gateway': None, 'dev': 'e0', 'metric': 0}],
                'sysctls': {'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0'},
                'resolv_conf': 'nameserver 10.1.0.2\n'},
        'p-b': {'links': {'e0': {'kind': 'veth', 'mtu': 1400, 'master': None, 'peer': 'e0', 'peer_netns': 'p-a',
                                 'addresses': ['10.1.0.2/24']}},
                'routes': [], 'sysctls': {'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1'}},
    }
    doc = export_document(facts, 'p-')
    assert doc == {
        'nodes': {'a': {'nameservers': ['10.1.0.2'], 'routes': [{'dest': 'default', 'gateway': '10.1.0.2'}]},
                  'b': {'forwarding': True}},
        'links': [{'endpoints': [{'node': 'a', 'name': 'e0', 'address': ['10.1.0.1/24']},
                                 {'node': 'b', 'name': 'e0', 'address': ['10.1.0.2/24']}], 'mtu': 1400}],
    }
    expand(doc, 'p-')


def test_rules_are_planned_and_purged():
    doc = expand({'nodes': {'a': {'rules': [{'priority': 100, 'src': '10.1.0.0/24', 'table': 100}]}}})
    record = new_record('t', 'p-', doc)
    assert record['rules']['a'][0]['priority'] == 100
    actions = Planner('t', doc, 'p-', current_of(doc, ('a',)), record).present()
    assert [a['text'] for a in actions] == ['add rule 100: from 10.1.0.0/24 lookup 100 in p-a']
    current = current_of(doc, ('a',))
    current['rules'] = {'a': [dict(actions[0]['rule'])]}
    gone = expand({'nodes': {'a': {}}})
    actions = Planner('t', gone, 'p-', current, record).present()
    assert [a['text'] for a in actions] == ['delete rule 100: from 10.1.0.0/24 lookup 100 in p-a (no longer declared)']


def test_nft_entries_are_checked_with_the_module_options():
    doc = expand({'nodes': {'r': {'masquerade': [{'name': 'lan', 'out_interface': 'eth1'}],
                                  'dnat': [{'name': 'web', 'port': 8080, 'to': ['10.0.2.2:80'], 'local': True}]}}})
    assert [e['key'] for e in doc['nodes']['r']['nft']] == ['masquerade', 'dnat']
    assert doc['nodes']['r']['sysctls'] == {'net.ipv4.conf.all.route_localnet': '1'}
    assert refused({'nodes': {'r': {'masquerade': [{'name': 'a', 'out_interface': 'e'},
                                                   {'name': 'a', 'out_interface': 'f'}]}}}) == \
        ('nodes.r.masquerade[1].name', 'a')
