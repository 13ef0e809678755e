# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of firewall_rule: option checks and the nft JSON it builds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import firewall as fw
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


def params(**kwargs):
    base = dict(name='r', chain='input', action='accept', protocol=None, source=None, destination=None, port=None,
                in_interface=None, out_interface=None, ct_state=None, log=None, log_prefix=None, log_rate=None,
                log_group=None, position=100, policy=None, state='present')
    base.update(kwargs)
    return base


def specs_of(**kwargs):
    return fw.rule_specs(fw.desired_rule(params(**kwargs)))


def fails(option, fragment, **kwargs):
    with pytest.raises(ValidationError) as err:
        specs_of(**kwargs)
    assert err.value.option == option
    assert fragment in str(err.value)
    return err.value


# -- ports ------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (80, [(80, 80)]),
    ('80', [(80, 80)]),
    ('8000-8010', [(8000, 8010)]),
    ([443, 80, '8000-8010'], [(80, 80), (443, 443), (8000, 8010)]),
    ('80,443', [(80, 80), (443, 443)]),
    ([80, 81, '82-90', '85-100'], [(80, 100)]),
    ([1, 65535], [(1, 1), (65535, 65535)]),
    ('7-7', [(7, 7)]),
])
def test_parse_ports(value, expected):
    assert fw.parse_ports('port', value) == expected


@pytest.mark.parametrize('value, fragment', [
    (0, 'outside the port range'),
    (65536, 'outside the port range'),
    ('90-80', 'reversed range'),
    ('http', 'is not a port'),
    ('80-', 'is not a port'),
    ([], 'empty list'),
    (True, 'is not a port'),
    (-1, 'is not a port'),
])
def test_parse_ports_bad(value, fragment):
    with pytest.raises(ValidationError) as err:
        fw.parse_ports('port', value)
    assert err.value.option == 'port'
    assert fragment in str(err.value)


def test_ports_argument():
    assert fw.ports_argument([(80, 80)]) == 80
    assert fw.ports_argument([(80, 90)]) == (80, 90)
    assert fw.ports_argument([(22, 22), (80, 90)]) == [22, (80, 90)]
    assert fw.ports_text([(22, 22), (80, 90)]) == '22, 80-90'


# -- addresses ---------------------------------------------------------------

def test_parse_addresses_split_collapse_sort():
    got = fw.parse_addresses('source', ['10.0.1.0/24', '2001:db8::1', '10.0.0.0/24', '10.0.0.7', '[2001:db8::/64]'])
    assert got == {'ip': ['10.0.0.0/23'], 'ip6': ['2001:db8::/64']}
    assert fw.parse_addresses('source', ['192.0.2.9/32']) == {'ip': ['192.0.2.9']}
    assert fw.parse_addresses('source', None) is None


def test_parse_addresses_host_bits():
    with pytest.raises(ValidationError) as err:
        fw.parse_addresses('destination', ['10.0.0.1/24'])
    assert err.value.option == 'destination'
    assert 'host bits' in str(err.value)


def test_parse_addresses_garbage():
    with pytest.raises(ValidationError) as err:
        fw.parse_addresses('source', ['10.0.0.300'])
    assert err.value.option == 'source'


# -- interfaces, prefixes, states ----------------------------------------------

@pytest.mark.parametrize('value', ['eth0', 'veth*', 'br-lan', 'a' * 15])
def test_interface_ok(value):
    assert fw.check_interface('in_interface', value) == value


@pytest.mark.parametrize('value, fragment', [
    ('a' * 16, '15 bytes'),
    ('eth0/1', "'/'"),
    ('eth+', "nftables spells it 'eth*'"),
    ('e*h0', "'*' before the end"),
    ('*', 'every interface'),
    ('eth"0', 'may not contain'),
    ('', 'empty'),
])
def test_interface_bad(value, fragment):
    with pytest.raises(ValidationError) as err:
        fw.check_interface('out_interface', value)
    assert err.value.option == 'out_interface'
    assert fragment in str(err.value)


def test_log_prefix():
    assert fw.check_log_prefix('fw-drop: ') == 'fw-drop: '
    assert fw.check_log_prefix('x' * 127) == 'x' * 127
    for bad, fragment in (('x' * 128, '128 bytes'), ('a"b', 'quotes'), ("it's", 'quotes'), ('a\\b', 'backslash'),
                          ('a\nb', 'control'), ('', 'empty'), (u'\u00e9' * 64, '128 bytes')):
        with pytest.raises(ValidationError) as err:
            fw.check_log_prefix(bad)
        assert err.value.option == 'log_prefix'
        assert fragment in str(err.value)


def test_ct_state_canonical_order():
    assert fw.check_ct_state(['related', 'established', 'related']) == ['established', 'related']
    with pytest.raises(ValidationError):
        fw.check_ct_state(['bogus'])


# -- rule building ---------------------------------------------------------------

def test_simple_accept_serves_both_families():
    specs = specs_of(protocol='tcp', port=80)
    assert len(specs) == 1
    assert specs[0].family is None
    assert specs[0].chain == 'input'
    assert specs[0].expr == [
        {'match': {'op': '==', 'left': {'payload': {'protocol': 'tcp', 'field': 'dport'}}, 'right': 80}},
        {'counter': None},
        {'accept': None},
    ]


def test_every_match_in_order():
    specs = specs_of(chain='forward', in_interface='in0', out_interface='out*', source=['10.0.0.0/24'],
                     destination=['192.0.2.1', '192.0.2.2'], protocol='udp', port=['53', '5000-5010'],
                     ct_state=['new'], action='drop')
    assert len(specs) == 1
    expr = specs[0].expr
    assert specs[0].family == 'ip'
    assert expr[0]['match']['left'] == {'meta': {'key': 'iifname'}} and expr[0]['match']['right'] == 'in0'
    assert expr[1]['match']['left'] == {'meta': {'key': 'oifname'}} and expr[1]['match']['right'] == 'out*'
    assert expr[2]['match']['left'] == {'payload': {'protocol': 'ip', 'field': 'saddr'}}
    assert expr[2]['match']['right'] == {'prefix': {'addr': '10.0.0.0', 'len': 24}}
    assert expr[3]['match']['right'] == {'set': ['192.0.2.1', '192.0.2.2']}
    assert expr[4]['match']['right'] == {'set': [53, {'range': [5000, 5010]}]}
    assert expr[5]['match']['left'] == {'ct': {'key': 'state'}}
    assert expr[-2:] == [{'counter': None}, {'drop': None}]


def test_mixed_families_become_two_rules():
    specs = specs_of(source=['2001:db8::/64', '10.0.0.0/8'], protocol='tcp', port=22)
    assert [s.family for s in specs] == ['ip', 'ip6']
    assert specs[0].expr[0]['match']['left']['payload']['protocol'] == 'ip'
    assert specs[1].expr[0]['match']['left']['payload']['protocol'] == 'ip6'


def test_family_mismatch_between_source_and_destination():
    fails('destination', 'different address families', source=['10.0.0.0/8'], destination=['2001:db8::1'])
    fails('destination', 'different address families', source=['10.0.0.0/8', '2001:db8::/32'],
          destination=['2001:db8::1'])


def test_icmp_families():
    specs = specs_of(protocol='icmp')
    assert specs[0].expr[0]['match'] == {'op': '==', 'left': {'meta': {'key': 'l4proto'}}, 'right': 'icmp'}
    specs = specs_of(protocol='icmpv6', source=['2001:db8::/32'])
    assert specs[0].family == 'ip6'
    assert specs[0].expr[1]['match']['right'] == 'icmpv6'
    fails('source', 'protocol icmp never matches', protocol='icmp', source=['2001:db8::/32'])
    fails('destination', 'protocol icmpv6 never matches', protocol='icmpv6', destination=['10.0.0.1'])


def test_reject_kinds():
    assert specs_of(protocol='tcp', action='reject')[0].expr[-1] == {'reject': {'type': 'tcp reset'}}
    assert specs_of(protocol='tcp', action='reject')[0].expr[0]['match']['right'] == 'tcp'
    for proto in ('udp', 'icmp', None):
        assert specs_of(protocol=proto, action='reject')[0].expr[-1] == {
            'reject': {'type': 'icmpx', 'expr': 'port-unreachable'}}


def test_log_without_rate_is_one_rule():
    specs = specs_of(action='drop', log_prefix='fw: ')
    assert len(specs) == 1
    assert specs[0].expr == [{'counter': None}, {'log': {'prefix': 'fw: '}}, {'drop': None}]
    specs = specs_of(action='drop', log=True)
    assert specs[0].expr == [{'counter': None}, {'log': None}, {'drop': None}]


def test_log_with_rate_is_a_rule_of_its_own():
    specs = specs_of(action='drop', protocol='tcp', log_prefix='fw: ', log_rate='10/minute', log_group=7)
    assert len(specs) == 2
    assert specs[0].expr == [
        {'match': {'op': '==', 'left': {'meta': {'key': 'l4proto'}}, 'right': 'tcp'}},
        {'limit': {'rate': 10, 'per': 'minute'}},
        {'counter': None},
        {'log': {'prefix': 'fw: ', 'group': 7}},
    ]
    assert specs[1].expr[-2:] == [{'counter': None}, {'drop': None}]
    # two families: log+verdict per family, log first
    specs = specs_of(action='drop', source=['10.0.0.0/8', '2001:db8::/32'], log_rate='1/second')
    expected = [('ip', True), ('ip', False), ('ip6', True), ('ip6', False)]
    assert [(s.family, 'log' in s.expr[-1]) for s in specs] == expected


def test_log_options_imply_log_and_conflict_with_false():
    assert fw.desired_rule(params(log_group=3)).log is True
    fails('log_prefix', 'log is false', log=False, log_prefix='x')
    fails('log_rate', 'is not a rate', log_rate='10/fortnight')
    fails('log_rate', 'is not a rate', log_rate='0/second')
    fails('log_group', 'outside', log_group=70000)


def test_bad_combinations():
    fails('port', 'needs protocol tcp or udp', port=80)
    fails('port', 'needs protocol tcp or udp', port=80, protocol='icmp')
    fails('action', 'is required', action=None)
    fails('in_interface', 'output chain', chain='output', in_interface='eth0')
    fails('out_interface', 'input chain', chain='input', out_interface='eth0')
    fails('position', 'outside', position=-1)
    fails('port', 'outside the port range', protocol='tcp', port=70000)
    fails('port', 'reversed range', protocol='tcp', port='90-80')


def test_same_options_same_rules():
    # the hash of the layer depends on the expressions: equal input in another order -> equal rules
    one = specs_of(source=['10.0.1.0/24', '10.0.0.0/24'], protocol='tcp', port=[443, 80], ct_state=['new', 'invalid'])
    two = specs_of(source=['10.0.0.0/24', '10.0.1.0/24'], protocol='tcp', port='80,443', ct_state=['invalid', 'new'])
    assert [(s.chain, s.family, s.expr) for s in one] == [(s.chain, s.family, s.expr) for s in two]


def test_rule_options_given():
    assert fw.rule_options_given(params(name=None, action=None)) == []
    assert fw.rule_options_given(params(name=None, action=None, port=80)) == ['port']
