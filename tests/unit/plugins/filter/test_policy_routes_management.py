# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of policy_routes_management: would the planned default routes
move the management connection? (The rule walk is simulated; the role's
integration test checks it against a namespace.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.filter import policy_routes as _MOD

check = _MOD.policy_routes_management


def rule(table, priority=1000, family='ipv4', action='lookup', src=None, dst=None, iif=None, oif=None,
         fwmark=None, other=None):
    out = dict(family=family, priority=priority, action=action, table=table, src=src, dst=dst, iif=iif, oif=oif,
               fwmark=fwmark)
    if other:
        out['other'] = other
    return out


def route(dest, table=254, family='ipv4', dev=None, gateway=None, metric=0, rtype='unicast', src=None,
          nexthops=None):
    return dict(family=family, table=table, dest=dest, dev=dev, gateway=gateway, metric=metric, type=rtype,
                src=src, nexthops=nexthops)


KERNEL_RULES = [rule(255, 0), rule(254, 32766), rule(253, 32767), rule(255, 0, 'ipv6'), rule(254, 32766, 'ipv6')]
# eth0 carries the management connection (default route), eth3 is the second
# interface whose table 2 lacks a default route (the seed's fault).
MAIN = [route('default', dev='eth0', gateway='10.0.2.2', metric=100),
        route('10.0.2.0/24', dev='eth0', src='10.0.2.15'),
        route('192.0.2.0/24', dev='eth3', src='192.0.2.10'),
        route('2001:db8:5::/64', family='ipv6', dev='eth3', metric=256),
        route('default', family='ipv6', dev='eth0', gateway='fe80::1', metric=1024)]
TABLE2 = [route('192.0.2.1/32', table=2, dev='eth3')]
ADDRESSES = [dict(dev='eth0', address='10.0.2.15/24', family='ipv4', scope='global'),
             dict(dev='eth3', address='192.0.2.10/24', family='ipv4', scope='global'),
             dict(dev='eth0', address='2001:db8:1::15/64', family='ipv6', scope='global')]
FIX2 = dict(family='ipv4', table=2, dev='eth3', gateway='192.0.2.1', source='the host route of the table')


def test_no_management_address_no_check():
    result = check([FIX2], KERNEL_RULES, MAIN + TABLE2, ADDRESSES, '')
    assert result['moved'] is False and result['before'] is None


def test_seed_fix_leaves_a_connection_from_the_first_interface_alone():
    rules = KERNEL_RULES + [rule(2, 1000, src='192.0.2.10/32')]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is False
    assert result['before'] == result['after'] == '10.0.2.2 dev eth0 (table 254, rule 32766)'
    assert result['by'] == []


def test_source_found_from_the_route_when_not_given():
    rules = KERNEL_RULES + [rule(2, 1000, src='192.0.2.10/32')]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9')
    assert result['source'] == '10.0.2.15'
    assert result['moved'] is False


def test_connection_to_the_second_interface_address_would_move():
    rules = KERNEL_RULES + [rule(2, 1000, src='192.0.2.10/32')]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9', '192.0.2.10')
    assert result['moved'] is True
    assert result['before'] == '10.0.2.2 dev eth0 (table 254, rule 32766)'
    assert result['after'] == '192.0.2.1 dev eth3 (table 2, rule 1000)'
    assert result['by'] == [FIX2]


def test_a_more_specific_route_in_main_is_not_reached_when_the_table_matches_first():
    # the table is looked up before main: its new default wins over main's /24
    rules = KERNEL_RULES + [rule(2, 1000, src='10.0.2.15/32')]
    fix = dict(FIX2)
    result = check([fix], rules, MAIN + TABLE2, ADDRESSES, '10.0.2.9', '10.0.2.15')
    assert result['before'] == 'direct dev eth0 (table 254, rule 32766)'
    assert result['moved'] is True


def test_table_route_covering_the_controller_keeps_deciding():
    rules = KERNEL_RULES + [rule(2, 1000, src='10.0.2.15/32')]
    routes = MAIN + TABLE2 + [route('203.0.113.0/24', table=2, dev='eth0', gateway='10.0.2.2')]
    fix = dict(FIX2)
    result = check([fix], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is False
    assert result['before'] == '10.0.2.2 dev eth0 (table 2, rule 1000)'


def test_same_next_hop_through_another_table_is_not_a_move():
    rules = KERNEL_RULES + [rule(4, 1000, src='10.0.2.15/32')]
    fix = dict(family='ipv4', table=4, dev='eth0', gateway='10.0.2.2', source='x')
    result = check([fix], rules, MAIN + [route('10.0.2.2/32', table=4, dev='eth0')], ADDRESSES,
                   '203.0.113.9', '10.0.2.15')
    assert result['moved'] is False
    assert result['after'] == '10.0.2.2 dev eth0 (table 4, rule 1000)'


@pytest.mark.parametrize('extra, moved', [
    (dict(dst='203.0.113.0/24'), True),
    (dict(dst='198.51.100.0/24'), False),
    (dict(iif='lo'), True),
    (dict(iif='eth3'), False),
    (dict(oif='eth3'), False),
    (dict(fwmark='0x10'), False),
    (dict(fwmark='0x0/0x10'), True),
    (dict(other={'not': True}), False),
    (dict(other={'l3mdev': 1}), False),
    (dict(other={'uid_range': {'start': 1000, 'end': 2000}}), True),  # not modelled: assumed to match
])
def test_selectors(extra, moved):
    rules = KERNEL_RULES + [rule(2, 1000, **extra)]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is moved


def test_suppress_prefixlength_skips_the_default_route():
    # wg-quick style: main without its default routes, then the tunnel table
    rules = KERNEL_RULES + [rule(254, 100, other={'suppress_prefixlen': 0}), rule(2, 200)]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is True
    assert result['after'] == '192.0.2.1 dev eth3 (table 2, rule 200)'


def test_throw_route_passes_the_lookup_on():
    rules = KERNEL_RULES + [rule(2, 1000)]
    routes = MAIN + TABLE2 + [route('203.0.113.0/24', table=2, rtype='throw')]
    result = check([FIX2], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is False


def test_unreachable_rule_decides_first():
    rules = KERNEL_RULES + [rule(None, 10, action='unreachable', dst='203.0.113.0/24'), rule(2, 1000)]
    result = check([FIX2], rules, MAIN + TABLE2, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['moved'] is False
    assert result['before'] == 'unreachable (table None, rule 10)'


def test_ipv6_fix_only_matters_to_an_ipv6_connection():
    fix6 = dict(family='ipv6', table=6, dev='eth3', gateway='2001:db8:5::1', source='x')
    rules = KERNEL_RULES + [rule(6, 1000, family='ipv6')]
    routes = MAIN + [route('2001:db8:5::/64', family='ipv6', table=6, dev='eth3')]
    assert check([fix6], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')['moved'] is False
    result = check([fix6], rules, routes, ADDRESSES, '2001:db8:99::9')
    assert result['source'] == '2001:db8:1::15'
    assert result['moved'] is True
    assert result['after'] == '2001:db8:5::1 dev eth3 (table 6, rule 1000)'


def test_no_route_to_the_controller_refuses_when_a_fix_could_take_it():
    rules = KERNEL_RULES + [rule(2, 1000)]
    routes = [r for r in MAIN if r['dest'] != 'default'] + TABLE2
    result = check([FIX2], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['before'] == 'no route'
    assert result['moved'] is True
    assert 'cannot tell' in result['note']
    assert check([], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')['moved'] is False


def test_multipath_route_compared_by_its_hops():
    hops = [dict(gateway='10.0.2.2', dev='eth0'), dict(gateway='10.0.2.3', dev='eth0')]
    routes = [route('default', dev=None, nexthops=hops)] + MAIN[1:] + TABLE2
    rules = KERNEL_RULES + [rule(2, 1000, src='192.0.2.10/32')]
    result = check([FIX2], rules, routes, ADDRESSES, '203.0.113.9', '10.0.2.15')
    assert result['before'] == '10.0.2.2 dev eth0 or 10.0.2.3 dev eth0 (table 254, rule 32766)'
    assert result['moved'] is False
