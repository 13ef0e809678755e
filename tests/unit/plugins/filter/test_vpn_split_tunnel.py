# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.filter.vpn_split_tunnel import FilterModule
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.vpn_split_tunnel import vpn_split_tunnel_problems

GOOD = {
    'vpn_split_tunnel_prefixes': ['10.20.0.0/16', '2001:db8:c::/48', '192.0.2.7'],
    'vpn_split_tunnel_client_addresses': ['10.99.0.2/24', 'fd00:99::2/64'],
    'vpn_split_tunnel_gateway_addresses': ['10.99.0.1/24'],
    'vpn_split_tunnel_endpoint': '2001:db8:ff::1',
}


def test_the_filter_is_registered():
    assert FilterModule().filters()['vpn_split_tunnel_problems'] is vpn_split_tunnel_problems


def test_good_values_have_no_problem():
    assert vpn_split_tunnel_problems(GOOD) == []


def test_missing_variables_are_not_checked():
    assert vpn_split_tunnel_problems({}) == []


@pytest.mark.parametrize('var, value, words', [
    ('vpn_split_tunnel_prefixes', '10.1.0.1/16', ['host bits', '10.1.0.0/16']),
    ('vpn_split_tunnel_prefixes', '2001:db8:c::1/64', ['host bits']),
    ('vpn_split_tunnel_prefixes', '10.0.0.0/33', ['prefix without host bits']),
    ('vpn_split_tunnel_client_addresses', '10.99.0.300/24', ['address with its prefix length']),
    ('vpn_split_tunnel_gateway_addresses', '10.99.0.1', ['no prefix length']),
    ('vpn_split_tunnel_endpoint', 'gateway.example', ['an IPv4 or IPv6 address']),
    ('vpn_split_tunnel_endpoint', '[2001:db8::1]', ['without brackets']),
    ('vpn_split_tunnel_endpoint', '192.0.2.1/32', ['an IPv4 or IPv6 address']),
])
def test_a_bad_value_is_named_with_its_variable(var, value, words):
    values = dict(GOOD)
    values[var] = [value] if isinstance(GOOD[var], list) else value
    problems = vpn_split_tunnel_problems(values)
    assert len(problems) == 1, problems
    assert problems[0].startswith("%s: value '%s' is not " % (var, value))
    for word in words:
        assert word in problems[0]


def test_every_bad_value_is_reported_in_order():
    values = dict(GOOD, vpn_split_tunnel_prefixes=['10.0.0.1/8', '10.0.0.0/8', 7],
                  vpn_split_tunnel_endpoint='nowhere')
    problems = vpn_split_tunnel_problems(values)
    assert [p.split(':')[0] for p in problems] == ['vpn_split_tunnel_prefixes'] * 2 + ['vpn_split_tunnel_endpoint']
    assert "value '7' is not" in problems[1] and 'not a string' in problems[1]


def test_the_split_routes_go_through_the_device_in_order():
    routes = FilterModule().filters()['vpn_split_tunnel_routes'](['10.20.0.0/16', '2001:db8:c::/48'], 'wg-corp')
    assert routes == [{'dest': '10.20.0.0/16', 'dev': 'wg-corp'}, {'dest': '2001:db8:c::/48', 'dev': 'wg-corp'}]
