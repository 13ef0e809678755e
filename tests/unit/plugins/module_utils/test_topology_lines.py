# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readable check lines: traceroute hops named after the document's nodes, expected failures marked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import expand_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_lines import address_nodes, readable_lines

DOC = {
    'nodes': {'h1': {}, 'r1': {'forwarding': True}, 'sw': {}, 'h2': {}},
    'bridges': {'br0': {'node': 'sw', 'address': ['10.0.3.1/24']}},
    'links': [
        {'endpoints': [{'node': 'h1', 'name': 'eth0', 'address': ['10.0.1.2/24', '2001:db8:1::2/64']},
                       {'node': 'r1', 'name': 'eth0', 'address': ['10.0.1.1/24', '2001:db8:1::1/64']}]},
        {'endpoints': ['h2:eth0', {'bridge': 'br0'}]},
    ],
}


def test_every_declared_address_names_its_node():
    nodes = address_nodes(expand_document(DOC, 'x-'))
    assert nodes == {'10.0.1.2': 'h1', '2001:db8:1::2': 'h1', '10.0.1.1': 'r1', '2001:db8:1::1': 'r1',
                     '10.0.3.1': 'sw'}


def test_traceroute_results_get_node_names_others_stay_as_they_are():
    results = [
        {'type': 'traceroute', 'path': ['10.0.1.1', None, '10.9.9.9'],
         'msg': 'traceroute 10.9.9.9 from x-h1: reached in 3 hops: 10.0.1.1 * 10.9.9.9'},
        {'type': 'ping', 'msg': 'ping 10.0.1.1 from x-h1: 1/1 replies'},
        {'type': 'traceroute', 'path': ['10.0.1.1'], 'msg': 'traceroute 10.0.1.1 from x-h1: reached in 1 hop: 10.0.1.1'},
        {'type': 'traceroute', 'msg': 'traceroute 10.0.1.1 from x-h1: not reached'},
    ]
    readable_lines(results, expand_document(DOC, 'x-'))
    assert results[0]['path_nodes'] == ['r1', None, None]
    assert results[0]['msg'] == 'traceroute 10.9.9.9 from x-h1: reached in 3 hops: 10.0.1.1 (r1) * 10.9.9.9'
    assert results[1] == {'type': 'ping', 'msg': 'ping 10.0.1.1 from x-h1: 1/1 replies'}
    assert results[2]['msg'] == 'traceroute 10.0.1.1 from x-h1: reached in 1 hop: 10.0.1.1 (r1)'
    assert 'path_nodes' not in results[3]


def test_expected_failures_say_so_unexpected_ones_do_not():
    results = [
        {'type': 'ping', 'expect': 'failure', 'passed': True, 'msg': 'ping 10.0.3.1 from x-h1: 0/1 replies'},
        {'type': 'ping', 'expect': 'failure', 'passed': False, 'msg': 'ping 10.0.3.1 from x-h1: 1/1 replies'},
        {'type': 'ping', 'expect': 'success', 'passed': False, 'msg': 'ping 10.0.3.1 from x-h1: 0/1 replies'},
    ]
    readable_lines(results, expand_document(DOC, 'x-'))
    assert [r['msg'] for r in results] == ['ping 10.0.3.1 from x-h1: 0/1 replies (as expected)',
                                           'ping 10.0.3.1 from x-h1: 1/1 replies',
                                           'ping 10.0.3.1 from x-h1: 0/1 replies']
