# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route normalisation, validation and planning (pure logic, no kernel)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import (
    Namespace,
    delete_request,
    describe,
    describe_op,
    desired_route,
    detect_family,
    list_versions,
    plan_absent,
    plan_present,
    plan_route_list,
    route_from_msg,
    route_key,
    route_matches,
    route_request,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


class Msg(dict):
    """Just enough of a pyroute2 rtmsg: header fields plus get_attr()."""

    def __init__(self, attrs=(), **fields):
        base = dict(family=socket.AF_INET, dst_len=0, src_len=0, tos=0, table=254, proto=4, scope=0, type=1,
                    flags=0)
        base.update(fields)
        super(Msg, self).__init__(base)
        self['attrs'] = list(attrs)

    def get_attr(self, name):
        for key, value in self['attrs']:
            if key == name:
                return value
        return None


IFNAMES = {1: 'lo', 2: 'eth0', 3: 'eth1'}
LINKS = {'lo': 1, 'eth0': 2, 'eth1': 3}
ADDRESSES = [
    {'index': 2, 'address': '192.0.2.1/24', 'family': 4},
    {'index': 3, 'address': '198.51.100.1/24', 'family': 4},
    {'index': 2, 'address': '2001:db8:a::1/64', 'family': 6},
]


def route(**over):
    base = {'family': 'ipv4', 'dest': '203.0.113.0/24', 'table': 254, 'metric': 0, 'type': 'unicast',
            'scope': 'global', 'proto': 'static', 'gateway': '192.0.2.254', 'dev': 'eth0', 'src': None,
            'onlink': False, 'nexthops': None}
    base.update(over)
    return base


def kernel_route(dest, dev, version=4):
    """The proto kernel route of a connected subnet."""
    return route(family='ipv%d' % version, dest=dest, gateway=None, dev=dev, scope='link' if version == 4 else 'global',
                 proto='kernel', metric=0 if version == 4 else 256)


def namespace(routes=()):
    base = [kernel_route('192.0.2.0/24', 'eth0'), kernel_route('198.51.100.0/24', 'eth1'),
            kernel_route('2001:db8:a::/64', 'eth0', 6)]
    return Namespace(LINKS, ADDRESSES, base + list(routes), 'ns1')


def params(**over):
    base = dict(dest=None, gateway=None, dev=None, metric=None, table='main', scope=None, src=None, type=None,
                onlink=False, nexthops=None, exclusive=False, family=None, state='present')
    base.update(over)
    return base


# -- reading ----------------------------------------------------------------

def test_gateway_route_from_msg():
    msg = Msg([('RTA_TABLE', 254), ('RTA_DST', '203.0.113.0'), ('RTA_PRIORITY', 10),
               ('RTA_GATEWAY', '192.0.2.254'), ('RTA_OIF', 2)], dst_len=24)
    assert route_from_msg(msg, IFNAMES) == route(metric=10)


def test_default_route_and_table_above_255():
    msg = Msg([('RTA_TABLE', 1000), ('RTA_GATEWAY', '192.0.2.254'), ('RTA_OIF', 2)], table=252)
    got = route_from_msg(msg, IFNAMES)
    assert got['dest'] == 'default'
    assert got['table'] == 1000


def test_device_route_is_scope_link_without_gateway():
    msg = Msg([('RTA_TABLE', 254), ('RTA_DST', '192.0.2.7'), ('RTA_OIF', 2)], dst_len=32, scope=253)
    got = route_from_msg(msg, IFNAMES)
    assert got['dest'] == '192.0.2.7/32'
    assert (got['gateway'], got['dev'], got['scope']) == (None, 'eth0', 'link')


def test_ipv6_blackhole_drops_lo_and_metric_kept():
    msg = Msg([('RTA_TABLE', 254), ('RTA_DST', '2001:db8:2::'), ('RTA_PRIORITY', 1024), ('RTA_OIF', 1)],
              family=socket.AF_INET6, dst_len=48, type=6)
    got = route_from_msg(msg, IFNAMES)
    assert got == route(family='ipv6', dest='2001:db8:2::/48', metric=1024, type='blackhole', gateway=None, dev=None)


def test_multipath_weights_sorted_and_onlink():
    hops = [{'attrs': [('RTA_GATEWAY', '198.51.100.254')], 'flags': 4, 'hops': 0, 'oif': 3},
            {'attrs': [('RTA_GATEWAY', '192.0.2.254')], 'flags': 4, 'hops': 2, 'oif': 2}]
    msg = Msg([('RTA_TABLE', 254), ('RTA_DST', '10.6.0.0'), ('RTA_MULTIPATH', hops)], dst_len=16)
    got = route_from_msg(msg, IFNAMES)
    assert got['gateway'] is None and got['dev'] is None
    assert got['onlink'] is True
    assert got['nexthops'] == [{'gateway': '192.0.2.254', 'dev': 'eth0', 'weight': 3},
                               {'gateway': '198.51.100.254', 'dev': 'eth1', 'weight': 1}]


def test_single_hop_multipath_is_an_ordinary_route():
    hops = [{'attrs': [('RTA_GATEWAY', '192.0.2.254')], 'flags': 0, 'hops': 4, 'oif': 2}]
    msg = Msg([('RTA_TABLE', 254), ('RTA_DST', '203.0.113.0'), ('RTA_MULTIPATH', hops)], dst_len=24)
    assert route_from_msg(msg, IFNAMES) == route()


def test_cloned_and_tos_routes_are_skipped():
    assert route_from_msg(Msg([('RTA_DST', '10.0.0.1')], dst_len=32, flags=0x200), IFNAMES) is None
    assert route_from_msg(Msg([('RTA_DST', '10.0.0.0')], dst_len=8, tos=16), IFNAMES) is None


def test_ipv6_address_is_compressed():
    msg = Msg([('RTA_DST', '2001:0db8:0001:0000::'), ('RTA_GATEWAY', 'FE80::1'), ('RTA_OIF', 2)],
              family=socket.AF_INET6, dst_len=48)
    got = route_from_msg(msg, IFNAMES)
    assert (got['dest'], got['gateway']) == ('2001:db8:1::/48', 'fe80::1')


# -- the desired route ----------------------------------------------------------

def test_desired_gateway_route_resolves_device():
    desired, resolved = desired_route(params(dest='203.0.113.0/24', gateway='192.0.2.254', metric=10), 254, namespace())
    assert desired == route(metric=10, dev=None)
    assert resolved == {'dev': 'eth0'}


def test_desired_device_route_defaults_to_scope_link_and_host_prefix():
    desired, dummy = desired_route(params(dest='192.0.2.7', dev='eth0'), 254, namespace())
    assert (desired['dest'], desired['scope'], desired['gateway']) == ('192.0.2.7/32', 'link', None)


def test_desired_default_family_and_metrics():
    v4, dummy = desired_route(params(dest='default', type='unreachable'), 254, namespace())
    assert (v4['family'], v4['dest'], v4['metric'], v4['scope']) == ('ipv4', 'default', 0, 'global')
    v6, dummy = desired_route(params(dest='default', gateway='2001:db8:a::fe', metric=0), 254, namespace())
    assert (v6['family'], v6['metric']) == ('ipv6', 1024)
    v6b, dummy = desired_route(params(dest='::/0', type='blackhole'), 254, namespace())
    assert (v6b['family'], v6b['dest']) == ('ipv6', 'default')


def test_detect_family_order():
    assert detect_family(params(dest='default', src='2001:db8:a::1')) == 6
    assert detect_family(params(dest='default', nexthops=[{'gateway': '2001:db8:a::fe'}])) == 6
    assert detect_family(params(dest='default', family='ipv6')) == 6
    assert detect_family(params(dest='default')) == 4


def test_gateway_via_device_route_counts_as_connected():
    ns = namespace([route(dest='10.20.30.40/32', gateway=None, dev='eth1', scope='link')])
    dummy, resolved = desired_route(params(dest='10.9.0.0/16', gateway='10.20.30.40'), 254, ns)
    assert resolved['dev'] == 'eth1'


def test_longest_prefix_wins_for_the_device():
    ns = namespace([route(dest='192.0.2.128/25', gateway=None, dev='eth1', scope='link')])
    dummy, resolved = desired_route(params(dest='10.9.0.0/16', gateway='192.0.2.200'), 254, ns)
    assert resolved['dev'] == 'eth1'


@pytest.mark.parametrize('over, option, value, words', [
    (dict(dest='10.9.0.0/16', gateway='203.0.113.77'), 'gateway', '203.0.113.77', 'not on any subnet connected'),
    (dict(dest='10.9.0.0/16', gateway='198.51.100.9', dev='eth0'), 'gateway', '198.51.100.9', 'connected on eth0'),
    (dict(dest='10.9.0.1/16', gateway='192.0.2.254'), 'dest', '10.9.0.1/16', 'host bits'),
    (dict(dest='10.9.0.0/16', gateway='2001:db8:a::fe'), 'gateway', '2001:db8:a::fe', 'IPv6 value where IPv4'),
    (dict(dest='10.9.0.0/16', family='ipv6', type='blackhole'), 'dest', '10.9.0.0/16', 'IPv4 value where IPv6'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', src='2001:db8:a::1'), 'src', '2001:db8:a::1', 'IPv6'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', src='192.0.2.99'), 'src', '192.0.2.99', 'not an address'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', metric=4294967296), 'metric', 4294967296, 'outside'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', metric=-1), 'metric', -1, 'outside'),
    (dict(dest='10.9.0.0/16', dev='nosuch0'), 'dev', 'nosuch0', 'not an interface'),
    (dict(dest='10.9.0.0/16'), 'dest', '10.9.0.0/16', 'needs a next hop'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', type='prohibit'), 'gateway', '192.0.2.254', 'type prohibit'),
    (dict(dest='10.9.0.0/16', gateway='172.31.0.1', onlink=True), 'onlink', True, 'needs dev'),
    (dict(dest='2001:db8:2::/48', gateway='fe80::1'), 'gateway', 'fe80::1', 'link-local'),
    (dict(dest='2001:db8:2::/48', dev='eth0', scope='link'), 'scope', 'link', 'IPv6'),
    (dict(dest='10.9.0.0/16', gateway='192.0.2.254', nexthops=[{'gateway': '192.0.2.253'}]),
     'nexthops', None, "combined with 'gateway'"),
    (dict(dest='10.9.0.0/16', dev='eth0', nexthops=[{'gateway': '192.0.2.253'}]), 'nexthops', None, "'dev'"),
    (dict(dest='10.9.0.0/16', nexthops=[{'gateway': '192.0.2.253'}, {'gateway': '203.0.113.9'}]),
     'nexthops[1].gateway', '203.0.113.9', 'not on any subnet'),
    (dict(dest='10.9.0.0/16', nexthops=[{'gateway': '192.0.2.253', 'weight': 300}, {'dev': 'eth1'}]),
     'nexthops[0].weight', 300, 'outside the range 1-256'),
    (dict(dest='10.9.0.0/16', nexthops=[{'gateway': '192.0.2.253'}, {'weight': 2}]), 'nexthops[1]', None,
     'needs a gateway or a dev'),
    (dict(dest='10.9.0.0/16', nexthops=[{'gateway': '192.0.2.253'}, {'gateway': '192.0.2.253'}]),
     'nexthops[1]', None, 'repeats'),
])
def test_bad_input(over, option, value, words):
    with pytest.raises(ValidationError) as err:
        desired_route(params(**over), 254, namespace())
    assert err.value.option == option
    if value is not None:
        assert err.value.value == value
    assert words in str(err.value)


def test_onlink_accepts_unconnected_gateway():
    desired, resolved = desired_route(params(dest='10.9.0.0/16', gateway='172.31.0.1', dev='eth0', onlink=True),
                                      254, namespace())
    assert desired['onlink'] is True
    assert resolved['dev'] == 'eth0'


def test_absent_skips_next_hop_checks():
    desired, dummy = desired_route(params(dest='10.9.0.0/16', gateway='203.0.113.77', dev='gone0', state='absent'),
                                   254, namespace())
    assert (desired['gateway'], desired['dev']) == ('203.0.113.77', 'gone0')


def test_multipath_desired_and_single_hop_collapses():
    desired, resolved = desired_route(params(dest='10.9.0.0/16', nexthops=[
        {'gateway': '198.51.100.254', 'dev': None, 'weight': 1},
        {'gateway': '192.0.2.254', 'dev': None, 'weight': 2}]), 254, namespace())
    assert desired['nexthops'] == [{'gateway': '192.0.2.254', 'dev': None, 'weight': 2},
                                   {'gateway': '198.51.100.254', 'dev': None, 'weight': 1}]
    assert desired['scope'] == 'global'
    single, resolved = desired_route(params(dest='10.9.0.0/16', nexthops=[{'gateway': '192.0.2.254', 'weight': 5}]),
                                     254, namespace())
    assert (single['nexthops'], single['gateway'], resolved['dev']) == (None, '192.0.2.254', 'eth0')


# -- comparison and planning ------------------------------------------------------

def test_unspecified_dev_and_src_are_whatever_the_kernel_chose():
    assert route_matches(route(src='192.0.2.1'), route(dev=None))
    assert not route_matches(route(), route(dev='eth1'))
    assert not route_matches(route(), route(src='192.0.2.1'))
    assert not route_matches(route(), route(onlink=True))


def test_multipath_comparison_ignores_order_and_unset_dev():
    hops = [{'gateway': '192.0.2.254', 'dev': 'eth0', 'weight': 2}, {'gateway': '198.51.100.254', 'dev': 'eth1', 'weight': 1}]
    current = route(gateway=None, dev=None, nexthops=hops)
    want = route(gateway=None, dev=None, nexthops=[dict(hops[1], dev=None), hops[0]])
    assert route_matches(current, want)
    assert not route_matches(current, route(gateway=None, dev=None, nexthops=[hops[0], dict(hops[1], weight=3)]))


def test_plan_add_then_nothing():
    desired, resolved = desired_route(params(dest='203.0.113.0/24', gateway='192.0.2.254'), 254, namespace())
    before, after, ops = plan_present(desired, resolved, namespace().routes)
    assert before == {}
    assert after == route()
    assert ops == [('add', route())]
    before, after, ops = plan_present(desired, resolved, namespace([route()]).routes)
    assert (before, after, ops) == (route(), route(), [])


def test_plan_replace_keeps_key():
    desired, resolved = desired_route(params(dest='203.0.113.0/24', gateway='198.51.100.254'), 254, namespace())
    before, after, ops = plan_present(desired, resolved, namespace([route()]).routes)
    assert before == route()
    assert after == route(gateway='198.51.100.254', dev='eth1')
    assert [op for op, dummy in ops] == ['replace']


def test_plan_type_change_is_a_replacement():
    desired, resolved = desired_route(params(dest='203.0.113.0/24', type='blackhole'), 254, namespace())
    dummy, after, ops = plan_present(desired, resolved, namespace([route()]).routes)
    assert ops == [('replace', after)]
    assert (after['type'], after['gateway'], after['dev']) == ('blackhole', None, None)


def test_plan_other_metric_is_another_route_unless_exclusive():
    other = route(metric=200)
    desired, resolved = desired_route(params(dest='203.0.113.0/24', gateway='192.0.2.254', metric=100), 254,
                                      namespace())
    routes = namespace([other, route(metric=300, proto='kernel')]).routes
    dummy, dummy2, ops = plan_present(desired, resolved, routes)
    assert [op for op, dummy in ops] == ['add']
    before, after, ops = plan_present(desired, resolved, routes, exclusive=True)
    assert ops[1:] == [('delete', other)]
    assert [r['metric'] for r in before['other_routes']] == [200, 300]
    assert [r['metric'] for r in after['other_routes']] == [300]


def test_plan_duplicates_with_same_key_are_removed():
    first = route(gateway='192.0.2.250')
    second = route(gateway='192.0.2.254')
    desired, resolved = desired_route(params(dest='203.0.113.0/24', gateway='192.0.2.254'), 254, namespace())
    dummy, dummy2, ops = plan_present(desired, resolved, namespace([first, second]).routes)
    assert ops == [('delete', first)]


def test_plan_absent_filters():
    routes = namespace([route(metric=10), route(metric=20, gateway='198.51.100.254', dev='eth1'),
                        route(metric=30, type='blackhole', gateway=None, dev=None)]).routes
    for over, metrics in [({}, [10, 20, 30]), ({'metric': 20}, [20]), ({'type': 'blackhole'}, [30]),
                          ({'gateway': '192.0.2.254'}, [10]), ({'dev': 'eth1'}, [20])]:
        p = params(dest='203.0.113.0/24', state='absent', **over)
        desired, dummy = desired_route(p, 254, namespace())
        before, after, ops = plan_absent(desired, p, routes)
        assert [r['metric'] for op, r in ops] == metrics
        assert after == {}
        assert before['metric'] == metrics[0]
    p = params(dest='192.0.2.0/24', state='absent', table='100')
    desired, dummy = desired_route(p, 100, namespace())
    assert plan_absent(desired, p, routes) == ({}, {}, [])


# -- requests -------------------------------------------------------------------

def test_route_request_gateway_route():
    assert route_request(route(metric=10, table=1000), LINKS) == dict(
        family=socket.AF_INET, table=1000, priority=10, dst_len=24, dst='203.0.113.0', type=1, scope=0,
        gateway='192.0.2.254', oif=2)


def test_route_request_default_ipv6_blackhole_has_no_dst_nor_scope():
    kwargs = route_request(route(family='ipv6', dest='default', metric=1024, type='blackhole', gateway=None,
                                 dev=None), LINKS)
    assert kwargs == dict(family=socket.AF_INET6, table=254, priority=1024, dst_len=0, type=6)


def test_route_request_multipath_onlink():
    r = route(gateway=None, dev=None, onlink=True, nexthops=[{'gateway': '172.31.0.1', 'dev': 'eth0', 'weight': 3},
                                                             {'gateway': '172.31.0.2', 'dev': 'eth1', 'weight': 1}])
    kwargs = route_request(r, LINKS)
    assert kwargs['multipath'] == [{'hops': 2, 'gateway': '172.31.0.1', 'oif': 2, 'flags': 4},
                                   {'hops': 0, 'gateway': '172.31.0.2', 'oif': 3, 'flags': 4}]
    assert 'flags' not in kwargs


def test_route_request_device_route_and_src():
    kwargs = route_request(route(dest='192.0.2.7/32', gateway=None, scope='link', src='192.0.2.1'), LINKS)
    assert (kwargs['scope'], kwargs['oif'], kwargs['prefsrc'], kwargs['dst_len']) == (253, 2, '192.0.2.1', 32)
    assert 'gateway' not in kwargs


def test_delete_request_is_exact_and_any_scope():
    assert delete_request(route(metric=7), LINKS) == dict(
        family=socket.AF_INET, table=254, priority=7, dst_len=24, dst='203.0.113.0', type=1, scope=255,
        gateway='192.0.2.254', oif=2)
    mp = route(gateway=None, dev=None, nexthops=[{'gateway': '192.0.2.254', 'dev': 'eth0', 'weight': 1}] * 2)
    assert 'gateway' not in delete_request(mp, LINKS)


def test_describe_and_key():
    assert describe(route(metric=10)) == '203.0.113.0/24 via 192.0.2.254 dev eth0 metric 10 table 254'
    assert describe(route(dest='192.0.2.7/32', gateway=None, scope='link')) == \
        '192.0.2.7/32 dev eth0 scope link metric 0 table 254'
    assert describe(route(family='ipv6', dest='default', type='unreachable', gateway=None, dev=None, metric=1024)) == \
        'unreachable default (IPv6) metric 1024 table 254'
    assert route_key(route()) == ('ipv4', 254, '203.0.113.0/24', 0)


# -- the list form (routes, purge) ---------------------------------------------------

def entry(**over):
    """One element of `routes` as the native suboptions hand it over."""
    base = dict(dest=None, gateway=None, dev=None, metric=None, scope=None, src=None, type=None, onlink=False,
                nexthops=None, family=None)
    base.update(over)
    return base


def list_params(routes, **over):
    base = dict(routes=routes, table=100, family=None, state='present', purge=False, purge_kernel_routes=False)
    base.update(over)
    return base


T = 100
LISTED = [entry(dest='default', gateway='192.0.2.254'),
          entry(dest='10.10.0.0/16', gateway='198.51.100.254', metric=20),
          entry(dest='192.0.2.128/25', dev='eth0'),
          entry(dest='10.11.0.0/16', type='blackhole'),
          entry(dest='2001:db8:1::/48', gateway='2001:db8:a::fe')]


def in_table(**over):
    return route(table=T, **over)


def expected_listed():
    return [in_table(dest='default'),
            in_table(dest='10.10.0.0/16', gateway='198.51.100.254', dev='eth1', metric=20),
            in_table(dest='192.0.2.128/25', gateway=None, scope='link'),
            in_table(dest='10.11.0.0/16', type='blackhole', gateway=None, dev=None),
            in_table(family='ipv6', dest='2001:db8:1::/48', gateway='2001:db8:a::fe', metric=1024)]


def test_list_adds_every_route_in_list_order_and_predicts_the_table():
    plan = plan_route_list(list_params(LISTED), T, namespace())
    assert plan['before'] == []
    assert plan['listed'] == expected_listed()
    assert plan['ops'] == [('add', r, None) for r in expected_listed()]
    assert plan['removed'] == []
    # the table after, sorted by family, destination and metric
    assert [r['dest'] for r in plan['after']] == ['default', '10.10.0.0/16', '10.11.0.0/16', '192.0.2.128/25',
                                                  '2001:db8:1::/48']


def test_list_is_idempotent_against_its_own_prediction():
    first = plan_route_list(list_params(LISTED, purge=True), T, namespace())
    again = plan_route_list(list_params(LISTED, purge=True), T, namespace(first['after']))
    assert again['ops'] == []
    assert again['before'] == again['after'] == first['after']
    assert again['listed'] == first['listed']


def test_purge_removes_the_unlisted_routes_of_the_table_only():
    stray4 = in_table(dest='10.99.0.0/16', gateway='192.0.2.253', proto='boot')
    stray6 = in_table(family='ipv6', dest='2001:db8:99::/48', gateway='2001:db8:a::fd', metric=1024)
    kernel = in_table(dest='10.97.0.0/16', gateway=None, scope='link', proto='kernel')
    other_table = route(table=200, dest='10.99.0.0/16', gateway='192.0.2.253')
    main = route(dest='10.99.0.0/16', gateway='192.0.2.253')
    ns = namespace(expected_listed() + [stray4, stray6, kernel, other_table, main])
    plan = plan_route_list(list_params(LISTED, purge=True), T, ns)
    assert plan['ops'] == [('delete', stray4, None), ('delete', stray6, None)]
    assert plan['removed'] == [stray4, stray6]
    assert kernel in plan['after'] and kernel in plan['before']
    assert other_table not in plan['before'] + plan['after']      # other tables are not even shown
    plan = plan_route_list(list_params(LISTED, purge=True, purge_kernel_routes=True), T, ns)
    assert [r for op, r, dummy in plan['ops']] == [kernel, stray4, stray6]
    assert len(plan['after']) == len(expected_listed())
    assert all(r in expected_listed() for r in plan['after'])
    # without purge nothing goes
    assert plan_route_list(list_params(LISTED), T, ns)['ops'] == []


def test_purge_only_touches_the_families_of_the_list_or_the_family_option():
    stray4 = in_table(dest='10.99.0.0/16', gateway='192.0.2.253')
    stray6 = in_table(family='ipv6', dest='2001:db8:99::/48', gateway='2001:db8:a::fd', metric=1024)
    ns = namespace([stray4, stray6])
    plan = plan_route_list(list_params([entry(dest='10.11.0.0/16', type='blackhole')], purge=True), T, ns)
    assert [op for op, dummy, dummy2 in plan['ops']] == ['add', 'delete']
    assert plan['removed'] == [stray4]
    assert stray6 not in plan['before']                            # IPv6 is not concerned
    plan = plan_route_list(list_params([], purge=True, family='ipv6'), T, ns)
    assert plan['removed'] == [stray6]
    assert (plan['before'], plan['after']) == ([stray6], [])
    assert list_versions(list_params([], purge=True, family='ipv6')) == ([], set([6]))


def test_a_listed_route_that_differs_is_replaced_not_purged():
    old = in_table(dest='default', gateway='198.51.100.254', dev='eth1', proto='boot')
    dup = in_table(dest='default', gateway='192.0.2.250')
    ns = namespace([old, dup])
    plan = plan_route_list(list_params([entry(dest='default', gateway='192.0.2.254')], purge=True), T, ns)
    new = in_table(dest='default')
    assert plan['ops'] == [('replace', new, old), ('delete', dup, None)]
    assert plan['after'] == [new]
    assert plan['removed'] == [dup]
    assert describe_op('replace', new, old) == ('replace route default via 192.0.2.254 dev eth0 metric 0 table 100 '
                                                '(was: default via 198.51.100.254 dev eth1 metric 0 table 100)')


def test_absent_removes_exactly_the_listed_routes():
    keep = in_table(dest='10.10.0.0/16', gateway='198.51.100.254', dev='eth1', metric=30)
    ns = namespace(expected_listed() + [keep])
    entries = [entry(dest='10.10.0.0/16', metric=20), entry(dest='10.11.0.0/16'), entry(dest='10.11.0.0/16'),
               entry(dest='10.12.0.0/16')]
    plan = plan_route_list(list_params(entries, state='absent'), T, ns)
    gone = [expected_listed()[1], expected_listed()[3]]
    assert plan['ops'] == [('delete', r, None) for r in gone]
    assert plan['removed'] == gone
    assert plan['listed'] == []
    assert keep in plan['after'] and not [r for r in gone if r in plan['after']]


@pytest.mark.parametrize('routes, over, option, value, words', [
    ([entry(dest='10.20.0.0/16', gateway='192.0.2.254'), entry(dest='10.21.0.0/33', gateway='192.0.2.254')], {},
     'routes[1].dest', '10.21.0.0/33', 'not a valid network prefix'),
    ([entry(dest='10.20.0.0/16', gateway='192.0.2.254'), entry(dest='10.21.0.1/16', gateway='192.0.2.254')], {},
     'routes[1].dest', '10.21.0.1/16', 'host bits'),
    ([entry(dest='10.20.0.0/16', type='blackhole')] * 2 + [entry(dest='10.22.0.0/16', gateway='203.0.113.9')], {},
     'routes[1].dest', '10.20.0.0/16', 'repeats routes[0]'),
    ([entry(dest='10.20.0.0/16', type='blackhole'), entry(dest='10.22.0.0/16', gateway='203.0.113.9')], {},
     'routes[1].gateway', '203.0.113.9', 'not on any subnet'),
    ([entry(dest='10.22.0.0/16', nexthops=[{'gateway': '203.0.113.9', 'dev': None, 'weight': 1}])], {},
     'routes[0].nexthops[0].gateway', '203.0.113.9', 'not on any subnet'),
    ([entry(dest='2001:db8:1::/48', type='blackhole')], {'family': 'ipv4'},
     'routes[0].dest', '2001:db8:1::/48', 'IPv6 value where IPv4'),
    ([entry(dest='default', type='blackhole', family='ipv6')], {'family': 'ipv4'},
     'routes[0].family', 'ipv6', 'differs from the module-level family'),
    ([entry(dest='10.22.0.0/16', gateway='192.0.2.254', src='2001:db8:a::1')], {},
     'routes[0].src', '2001:db8:a::1', 'IPv6'),
    ([entry(dest='10.22.0.0/16', dev='nosuch0')], {}, 'routes[0].dev', 'nosuch0', 'not an interface'),
    ([entry(dest='10.22.0.0/16')], {'purge_kernel_routes': True}, 'purge_kernel_routes', True, 'needs purge'),
    ([entry(dest='10.22.0.0/16')], {'purge': True, 'state': 'absent'}, 'purge', True, 'state=present'),
    ([], {'purge': True}, 'routes', [], 'set family'),
])
def test_list_bad_input_names_the_element(routes, over, option, value, words):
    with pytest.raises(ValidationError) as err:
        plan_route_list(list_params(routes, **over), T, namespace())
    assert err.value.option == option
    assert err.value.value == value
    assert "option '%s'" % option in str(err.value)
    assert words in str(err.value)


def test_purge_refuses_to_remove_the_device_route_a_listed_gateway_needs():
    link = in_table(dest='10.30.0.0/24', gateway=None, dev='eth1', scope='link')
    entries = [entry(dest='10.11.0.0/16', type='blackhole'), entry(dest='10.31.0.0/16', gateway='10.30.0.1')]
    with pytest.raises(ValidationError) as err:
        plan_route_list(list_params(entries, purge=True), T, namespace([link]))
    assert err.value.option == 'routes[1].gateway'
    assert 'only through 10.30.0.0/24 dev eth1 scope link metric 0 table 100, which purge would remove' \
        in str(err.value)
    # listed too, or without purge, or onlink: fine
    entries.append(entry(dest='10.30.0.0/24', dev='eth1'))
    assert [op for op, dummy, dummy2 in plan_route_list(list_params(entries, purge=True), T,
                                                        namespace([link]))['ops']] == ['add', 'add']
    assert len(plan_route_list(list_params(entries[:2]), T, namespace([link]))['ops']) == 2
    entries = [entry(dest='10.31.0.0/16', gateway='10.30.0.1', dev='eth1', onlink=True)]
    assert [op for op, dummy, dummy2 in plan_route_list(list_params(entries, purge=True), T,
                                                        namespace([link]))['ops']] == ['add', 'delete']


def test_unknown_route_type_numbers_can_still_be_deleted():
    kwargs = delete_request(in_table(type='11', gateway=None, dev=None), LINKS)
    assert kwargs['type'] == 11


def test_elements_with_their_own_table_in_one_call():
    in_200 = route(table=200, dest='10.99.0.0/16', gateway='192.0.2.253')
    main = route(dest='10.98.0.0/16', gateway='192.0.2.253')
    ns = namespace([in_200, main])
    listed = [entry(dest='default', gateway='192.0.2.254', table=200),
              entry(dest='default', gateway='192.0.2.254', table=300),
              entry(dest='default', gateway='2001:db8:a::fe', table=200)]
    plan = plan_route_list(list_params(listed, table=254), 254, ns)
    assert [(r['table'], r['family']) for op, r, dummy in plan['ops']] == [(200, 'ipv4'), (300, 'ipv4'), (200, 'ipv6')]
    # only the elements' tables are shown (not the module-level one, which no element uses), by table
    assert plan['before'] == [in_200]
    expected = [(200, 'default'), (200, '10.99.0.0/16'), (200, 'default'), (300, 'default')]
    assert [(r['table'], r['dest']) for r in plan['after']] == expected
    again = plan_route_list(list_params(listed, table=254), 254, namespace(plan['after'] + [main]))
    assert again['ops'] == [] and again['before'] == again['after'] == plan['after']
    # the same destination in two tables is two routes, not a repeat
    assert len(plan['listed']) == 3


def test_elements_without_a_table_use_the_module_table_beside_the_others():
    plan = plan_route_list(list_params([entry(dest='default', gateway='192.0.2.254'),
                                        entry(dest='default', gateway='192.0.2.254', table=200)]), T, namespace())
    assert sorted(r['table'] for r in plan['after']) == [T, 200]


def test_purge_refuses_an_element_of_another_table():
    with pytest.raises(ValidationError) as err:
        plan_route_list(list_params([entry(dest='default', gateway='192.0.2.254', table=200)], purge=True), T,
                        namespace())
    assert err.value.option == 'routes[0].table' and err.value.value == 200
    assert 'purge' in err.value.reason
