# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the policy_routes planning filters (used by the policy_routes role)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.filter import policy_routes as _MOD

plan = _MOD.policy_routes_plan


def rule(table, priority=1000, family='ipv4', action='lookup', src=None):
    return dict(family=family, priority=priority, action=action, table=table, src=src)


def route(dest, table=254, family='ipv4', dev=None, gateway=None, metric=0, rtype='unicast', nexthops=None):
    return dict(family=family, table=table, dest=dest, dev=dev, gateway=gateway, metric=metric, type=rtype,
                nexthops=nexthops)


KERNEL_RULES = [rule(255, 0), rule(254, 32766), rule(253, 32767),
                rule(255, 0, 'ipv6'), rule(254, 32766, 'ipv6')]
MAIN = [route('default', dev='eth1', gateway='10.0.2.2', metric=100),
        route('default', dev='eth2', gateway='192.168.56.1', metric=200),
        route('10.0.2.0/24', dev='eth1'), route('192.0.2.0/24', dev='eth3')]


def test_kernel_tables_are_ignored():
    result = plan(KERNEL_RULES, MAIN)
    assert result == dict(tables=[], fixes=[], unresolved=[])


def test_seed_table_with_host_route_gets_default_via_that_host():
    routes = MAIN + [route('192.0.2.1/32', table=2, dev='eth3')]
    result = plan(KERNEL_RULES + [rule(2, 1536, src='192.0.2.10/32')], routes)
    assert result['fixes'] == [dict(family='ipv4', table=2, dev='eth3', gateway='192.0.2.1',
                                    source='the host route of the table')]
    assert result['unresolved'] == []
    assert result['tables'][0]['rules'] == [1536]


def test_gateway_from_main_table_of_that_interface():
    routes = MAIN + [route('10.0.2.0/24', table=5, dev='eth1')]
    result = plan([rule(5)], routes)
    assert result['fixes'] == [dict(family='ipv4', table=5, dev='eth1', gateway='10.0.2.2',
                                    source='the main table default route on eth1')]


def test_main_table_lowest_metric_gateway_on_the_interface():
    routes = [route('default', dev='eth1', gateway='10.0.2.3', metric=300),
              route('default', dev='eth1', gateway='10.0.2.2', metric=100),
              route('default', dev='eth2', gateway='192.168.56.1', metric=0),
              route('10.0.2.0/24', table=5, dev='eth1')]
    assert plan([rule(5)], routes)['fixes'][0]['gateway'] == '10.0.2.2'


def test_gateway_from_a_route_of_the_table():
    routes = MAIN + [route('198.51.100.0/24', table=7, dev='eth2', gateway='192.168.56.254')]
    fix = plan([rule(7)], routes)['fixes'][0]
    assert (fix['dev'], fix['gateway'], fix['source']) == ('eth2', '192.168.56.254', 'a route of the table')


def test_table_with_default_route_is_ok():
    routes = MAIN + [route('default', table=2, dev='eth3', gateway='192.0.2.1')]
    result = plan([rule(2)], routes)
    assert result['fixes'] == [] and result['unresolved'] == []
    assert result['tables'][0]['status'] == 'ok'


def test_unreachable_default_counts_as_a_default():
    routes = [route('default', table=2, rtype='unreachable')]
    assert plan([rule(2)], routes)['tables'][0]['status'] == 'ok'


def test_empty_table_is_unresolved_not_guessed():
    result = plan([rule(3, src='198.51.100.0/24')], MAIN)
    assert result['fixes'] == []
    assert result['unresolved'][0]['table'] == 3
    assert 'cannot be determined' in result['unresolved'][0]['reason']


def test_several_interfaces_are_unresolved():
    routes = [route('192.0.2.1/32', table=4, dev='eth3'), route('10.0.2.0/24', table=4, dev='eth1')]
    result = plan([rule(4)], routes)
    assert result['fixes'] == [] and 'several interfaces' in result['unresolved'][0]['reason']


def test_interface_without_any_gateway_is_unresolved():
    routes = [route('10.9.0.0/24', table=4, dev='eth9')]
    result = plan([rule(4)], routes)
    assert result['fixes'] == [] and result['unresolved'][0]['reason'].startswith('table 4 uses eth9')


def test_several_gateways_in_the_table_are_unresolved():
    routes = [route('10.1.0.0/24', table=4, dev='eth1', gateway='10.0.2.2'),
              route('10.2.0.0/24', table=4, dev='eth1', gateway='10.0.2.3')]
    result = plan([rule(4)], routes)
    assert result['fixes'] == [] and 'several gateways' in result['unresolved'][0]['reason']


def test_ipv6_is_planned_per_family():
    routes = [route('default', family='ipv6', dev='eth1', gateway='fd00:2::2', metric=100),
              route('fd00:2::/64', table=2, family='ipv6', dev='eth1'),
              route('192.0.2.1/32', table=2, dev='eth3')]
    result = plan([rule(2, family='ipv6'), rule(2)], routes)
    assert result['fixes'] == [
        dict(family='ipv4', table=2, dev='eth3', gateway='192.0.2.1', source='the host route of the table'),
        dict(family='ipv6', table=2, dev='eth1', gateway='fd00:2::2', source='the main table default route on eth1'),
    ]


def test_ipv6_host_route_as_gateway():
    routes = [route('2001:db8::1/128', table=9, family='ipv6', dev='eth3')]
    assert plan([rule(9, family='ipv6')], routes)['fixes'][0]['gateway'] == '2001:db8::1'


def test_rules_without_lookup_and_duplicates():
    rules = [rule(None, action='blackhole'), rule(6, 100), rule(6, 200), rule('6', 300)]
    routes = [route('192.0.2.1/32', table=6, dev='eth3')]
    result = plan(rules, routes)
    assert len(result['tables']) == 1 and result['tables'][0]['rules'] == [100, 200, 300]


def test_multipath_routes_in_the_table():
    routes = [route('10.8.0.0/16', table=8, nexthops=[dict(gateway='10.0.2.2', dev='eth1', weight=1)])]
    fix = plan([rule(8)], routes)['fixes'][0]
    assert (fix['dev'], fix['gateway']) == ('eth1', '10.0.2.2')


def test_describe():
    fix = dict(family='ipv4', table=2, dev='eth3', gateway='192.0.2.1')
    assert _MOD.policy_routes_describe(fix) == 'ipv4 table 2: default via 192.0.2.1 dev eth3'


def test_filter_module_exposes_the_filters():
    filters = _MOD.FilterModule().filters()
    assert filters['policy_routes_plan'] is plan
    assert filters['policy_routes_describe'] is _MOD.policy_routes_describe


def test_by_table_groups_families_of_a_table_in_one_call():
    fixes = [dict(family='ipv4', table=200, dev='e2', gateway='192.0.2.1', source='s'),
             dict(family='ipv4', table=100, dev='e1', gateway='198.51.100.1', source='s'),
             dict(family='ipv6', table=100, dev='e1', gateway='2001:db8::1', source='s')]
    assert _MOD.policy_routes_by_table(fixes) == [
        dict(table=100, routes=[dict(dest='default', family='ipv4', gateway='198.51.100.1', dev='e1'),
                                dict(dest='default', family='ipv6', gateway='2001:db8::1', dev='e1')]),
        dict(table=200, routes=[dict(dest='default', family='ipv4', gateway='192.0.2.1', dev='e2')])]
    assert _MOD.policy_routes_by_table([]) == []
    assert _MOD.FilterModule().filters()['policy_routes_by_table'] is _MOD.policy_routes_by_table


FIXES = [dict(family='ipv4', table=200, dev='e2', gateway='192.0.2.1', source='s'),
         dict(family='ipv4', table=100, dev='e1', gateway='198.51.100.1', source='s'),
         dict(family='ipv6', table=100, dev='e1', gateway='2001:db8::1', source='s')]


def test_routes_of_every_table_in_one_call():
    assert _MOD.policy_routes_routes(FIXES) == [
        dict(dest='default', family='ipv4', gateway='198.51.100.1', dev='e1', table=100),
        dict(dest='default', family='ipv6', gateway='2001:db8::1', dev='e1', table=100),
        dict(dest='default', family='ipv4', gateway='192.0.2.1', dev='e2', table=200)]
    assert _MOD.policy_routes_routes([]) == []
    assert _MOD.FilterModule().filters()['policy_routes_routes'] is _MOD.policy_routes_routes


def kernel(fix, **over):
    out = dict(dest='default', family=fix['family'], table=fix['table'], gateway=fix['gateway'], dev=fix['dev'],
               metric=0)
    out.update(over)
    return out


def test_fixed_are_the_routes_the_call_added():
    other = dict(dest='10.0.0.0/8', family='ipv4', table=100, gateway='198.51.100.1', dev='e1', metric=0)
    # table 200's route appeared between the reading and the call: not counted
    result = {'changed': True, 'diff': {'before': {'routes': [other, kernel(FIXES[0])]},
                                        'after': {'routes': [other, kernel(FIXES[0]), kernel(FIXES[1]),
                                                             kernel(FIXES[2], metric=1024)]}}}
    assert _MOD.policy_routes_fixed(FIXES, result) == FIXES[1:]
    assert _MOD.policy_routes_fixed(FIXES, dict(result, changed=False)) == []
    assert _MOD.policy_routes_fixed(FIXES, {'changed': False, 'skipped': True}) == []
    # a default of the same table through another gateway is not the fix
    result = {'changed': True, 'diff': {'before': {'routes': []},
                                        'after': {'routes': [kernel(FIXES[1], gateway='198.51.100.9')]}}}
    assert _MOD.policy_routes_fixed(FIXES, result) == []
