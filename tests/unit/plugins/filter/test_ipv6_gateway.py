# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipv6_gateway role's checks of its variables, and the EUI-64 address."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.filter.ipv6_gateway import ipv6_gateway_eui64, ipv6_gateway_plan

RA = dict(min_interval=3, max_interval=10, router_lifetime=1800, rdnss=[], dnssl=[])
LAN = dict(interface='lan', prefix='2001:db8:1::/64')
UPLINK = dict(interface='wan', address='2001:db8:ff::2/64', gateway='2001:db8:ff::1')


def plan(inside=None, mode='slaac', statics=None, uplink=None, **ra):
    settings = dict(RA)
    settings.update(ra)
    return ipv6_gateway_plan([LAN] if inside is None else inside, mode, statics or [], UPLINK if uplink is None else uplink,
                             settings)


def test_good_plan_is_normalised():
    result = plan(inside=[dict(LAN, dhcpv6_range=dict(start='2001:db8:1::1000', end='2001:db8:1::1fff'))],
                  mode='dhcpv6', statics=[dict(mac='02:00:5E:00:00:01', address='2001:db8:1::42')])
    assert result['errors'] == []
    assert result['inside'] == [dict(interface='lan', prefix='2001:db8:1::/64', network='2001:db8:1::', prefixlen=64,
                                     address='2001:db8:1::1/64',
                                     range=dict(start='2001:db8:1::1000', end='2001:db8:1::1fff'))]
    assert result['statics'] == [dict(mac='02:00:5e:00:00:01', address='2001:db8:1::42')]
    assert result['uplink'] == dict(kind='native', interface='wan', address='2001:db8:ff::2/64', gateway='2001:db8:ff::1')


@pytest.mark.parametrize('kwargs, expected', [
    (dict(inside=[dict(interface='lan', prefix='2001:db8:1::/56')]), 'ipv6_gateway_inside[0].prefix "2001:db8:1::/56" is a /56'),
    (dict(inside=[dict(interface='lan', prefix='2001:db8:1::1/64')]), 'ipv6_gateway_inside[0].prefix "2001:db8:1::1/64"'),
    (dict(inside=[LAN, dict(interface='lan2', prefix='2001:db8:1::/64')]),
     'ipv6_gateway_inside[1].prefix "2001:db8:1::/64" overlaps ipv6_gateway_inside[0].prefix'),
    (dict(inside=[dict(interface='wan0', prefix='2001:db8:ff::/64')]), 'ipv6_gateway_uplink.address "2001:db8:ff::/64" overlaps'),
    (dict(inside=[LAN, dict(interface='lan', prefix='2001:db8:2::/64')]), 'names interface "lan" more than once'),
    (dict(inside=[dict(interface='a/b', prefix='2001:db8:1::/64')]), 'ipv6_gateway_inside[0].interface "a/b"'),
    (dict(inside=[dict(LAN, dhcpv6_range=dict(start='2001:db8:9::1', end='2001:db8:1::9'))], mode='dhcpv6'),
     'ipv6_gateway_inside[0].dhcpv6_range {"end": "2001:db8:1::9", "start": "2001:db8:9::1"}: start outside its prefix'),
    (dict(inside=[dict(LAN, dhcpv6_range=dict(start='2001:db8:1::9', end='2001:db8:1::1'))], mode='dhcpv6'), 'start is after end'),
    (dict(inside=[dict(LAN, dhcpv6_range=dict(start='2001:db8:1::1', end='2001:db8:1::9'))]), 'needs ipv6_gateway_mode dhcpv6'),
    (dict(mode='dhcpv6', statics=[dict(mac='02:00:00:00:00:01', address='2001:db8:7::1')]),
     'ipv6_gateway_dhcpv6_static[0].address "2001:db8:7::1"'),
    (dict(mode='dhcpv6', statics=[dict(mac='nope', address='2001:db8:1::5')]), 'ipv6_gateway_dhcpv6_static[0].mac "nope"'),
    (dict(uplink=dict(kind='sit', interface='he0', local='2001:db8::1', remote='203.0.113.1')),
     'ipv6_gateway_uplink.local "2001:db8::1"'),
    (dict(uplink=dict(interface='wan', local='192.0.2.1')), 'local, remote and ttl need kind sit'),
    (dict(uplink=dict(interface='lan')), 'ipv6_gateway_uplink.interface "lan" is also an inside interface'),
    (dict(inside=[]), 'ipv6_gateway_inside [] is empty'),
    (dict(mode='stateful'), 'ipv6_gateway_mode "stateful"'),
    (dict(max_interval=2), 'ipv6_gateway_ra_max_interval 2'),
    (dict(min_interval=9), 'ipv6_gateway_ra_min_interval 9'),
    (dict(router_lifetime=5), 'ipv6_gateway_router_lifetime 5'),
    (dict(rdnss=['10.0.0.1']), 'ipv6_gateway_rdnss has "10.0.0.1"'),
    (dict(dnssl=['bad domain\nx']), 'ipv6_gateway_dnssl has "bad domain\\nx"'),
])
def test_bad_values_name_the_variable_and_value(kwargs, expected):
    errors = plan(**kwargs)['errors']
    assert any(expected in error for error in errors), errors


def test_sit_uplink():
    result = plan(uplink=dict(kind='sit', interface='he0', local='192.0.2.1', remote='203.0.113.1', address='2001:db8:ff::2/64'))
    assert result['errors'] == []
    assert result['uplink'] == dict(kind='sit', interface='he0', local='192.0.2.1', remote='203.0.113.1', ttl=64,
                                    address='2001:db8:ff::2/64')


def test_no_uplink():
    assert plan(uplink={})['uplink'] == {}


def test_eui64():
    # RFC 4291 appendix A: the universal/local bit flipped, ff:fe in the middle.
    assert ipv6_gateway_eui64('2001:db8:1::/64', '02:00:5e:61:00:c1') == '2001:db8:1::5eff:fe61:c1'
    assert ipv6_gateway_eui64('2001:db8:1::/64', '00:11:22:33:44:55') == '2001:db8:1:0:211:22ff:fe33:4455'
