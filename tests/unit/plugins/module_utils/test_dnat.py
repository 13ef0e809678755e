# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of _dnat: ports, backends, validation and the nft JSON rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import sys

import pytest

try:
    import ansible_collections.linuxnet.plumbing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: collections/ holds the link
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'collections'))

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import dnat as _dnat  # noqa: E402
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError  # noqa: E402


def params(**kwargs):
    base = dict(protocol='tcp', port=80, destination=None, in_interface=None, to=['10.0.0.2'],
                balance=None, local=False, masquerade_return=False)
    base.update(kwargs)
    return base


def refused(option, value_part, reason_part, **kwargs):
    with pytest.raises(ValidationError) as err:
        _dnat.validate(params(**kwargs))
    assert err.value.option == option
    assert "option '%s'" % option in str(err.value)
    assert value_part in str(err.value)
    assert reason_part in str(err.value)
    return err.value


# -- ports -----------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (80, 80), ('80', 80), (' 8080 ', 8080), (1, 1), (65535, 65535),
    ('8000-8010', (8000, 8010)), ('8000 - 8010', (8000, 8010)), ('90-90', 90), (443.0, 443),
])
def test_parse_port(value, expected):
    assert _dnat.parse_port('port', value) == expected


@pytest.mark.parametrize('value, reason', [
    (0, 'outside the port range 1-65535'),
    (65536, 'outside the port range 1-65535'),
    ('0', 'outside the port range 1-65535'),
    ('1-65536', 'outside the port range 1-65535'),
    ('90-80', 'reversed range'),
    ('http', 'not a port number or range'),
    ('80,81', 'not a port number or range'),
    ('-5', 'not a port number or range'),
    (True, 'not a port number or range'),
    (None, 'not a port number or range'),
    ([80], 'not a port number or range'),
    (80.5, 'not a port number or range'),
])
def test_parse_port_refused(value, reason):
    with pytest.raises(ValidationError) as err:
        _dnat.parse_port('port', value)
    assert "option 'port'" in str(err.value)
    assert reason in str(err.value)
    assert err.value.value == value


def test_port_text():
    assert _dnat.port_text(80) == '80'
    assert _dnat.port_text((8000, 8010)) == '8000-8010'


# -- backends --------------------------------------------------------------------

@pytest.mark.parametrize('text, address, port, shown', [
    ('10.0.0.2', '10.0.0.2', None, '10.0.0.2'),
    (' 10.0.0.2:8080 ', '10.0.0.2', 8080, '10.0.0.2:8080'),
    ('[2001:db8::2]:8080', '2001:db8::2', 8080, '[2001:db8::2]:8080'),
    ('[2001:db8::2]', '2001:db8::2', None, '2001:db8::2'),
    ('2001:db8::2', '2001:db8::2', None, '2001:db8::2'),
    ('2001:DB8:0::2', '2001:db8::2', None, '2001:db8::2'),
])
def test_parse_backend(text, address, port, shown):
    backend = _dnat.parse_backend('to', text)
    assert backend.address == ipaddress.ip_address(address)
    assert backend.port == port
    assert str(backend) == shown


@pytest.mark.parametrize('text, reason', [
    ('10.0.0.2:0', 'outside the port range'),
    ('10.0.0.2:65536', 'outside the port range'),
    ('10.0.0.2:http', 'port that is not a number'),
    ('10.0.0.2:', 'port that is not a number'),
    ('[2001:db8::2]:', "after ']'"),
    ('[2001:db8::2]8080', "after ']'"),
    ('[2001:db8::2:8080', "'[' without ']'"),
    ('[10.0.0.2]:80', 'brackets are for IPv6'),
    ('10.0.0.300', 'not a backend address'),
    ('backend.example', 'not a backend address'),
    ('10.0.0.0/24', 'not a backend address'),
    ('127.0.0.1:80', 'loopback'),
    ('::1', 'loopback'),
    ('0.0.0.0', 'not a unicast address'),
    ('224.0.0.1', 'not a unicast address'),
    ('255.255.255.255', 'not a unicast address'),
    (8080, 'not a string'),
])
def test_parse_backend_refused(text, reason):
    with pytest.raises(ValidationError) as err:
        _dnat.parse_backend('to', text)
    assert "option 'to'" in str(err.value)
    assert reason in str(err.value)
    assert err.value.value == text


def test_parse_destination():
    assert str(_dnat.parse_destination('destination', '192.0.2.1')) == '192.0.2.1/32'
    assert str(_dnat.parse_destination('destination', '2001:db8::/64')) == '2001:db8::/64'
    assert str(_dnat.parse_destination('destination', '[2001:db8::1]')) == '2001:db8::1/128'
    with pytest.raises(ValidationError) as err:
        _dnat.parse_destination('destination', '192.0.2.1/24')
    assert 'host bits' in str(err.value) and '192.0.2.0/24' in str(err.value)
    with pytest.raises(ValidationError):
        _dnat.parse_destination('destination', 'somewhere')


# -- validation ------------------------------------------------------------------

def test_validate_single_port_fills_backend_port():
    spec = _dnat.validate(params(to=['10.0.0.2', '10.0.0.3:8080'], balance='random'))
    assert [str(b) for b in spec.backends] == ['10.0.0.2:80', '10.0.0.3:8080']
    assert spec.versions == [4]
    assert not spec.needs_route_localnet


def test_validate_range_keeps_portless_backends():
    spec = _dnat.validate(params(port='8000-8010', to=['10.0.0.2', '10.0.0.3'], balance='round_robin'))
    assert spec.port == (8000, 8010)
    assert [b.port for b in spec.backends] == [None, None]


def test_validate_range_mixed_ports_refused():
    refused('to', '10.0.0.3:9000', 'mixes backends with and without a port',
            port='8000-8010', to=['10.0.0.2', '10.0.0.3:9000'], balance='round_robin')


def test_validate_dual_stack_without_destination():
    spec = _dnat.validate(params(to=['[2001:db8::2]:8080', '10.0.0.2']))
    assert spec.versions == [4, 6]
    assert spec.balance is None


def test_wrong_family_backend_refused():
    err = refused('to', '2001:db8::2', 'is an IPv6 backend, but destination has only IPv4 addresses',
                  destination=['192.0.2.1'], to=['[2001:db8::2]:80'])
    assert err.value == '[2001:db8::2]:80'


def test_destination_without_backend_family_refused():
    refused('destination', '2001:db8::1', 'without any IPv6 backend',
            destination=['192.0.2.1', '2001:db8::1'], to=['10.0.0.2'])


def test_balance_with_single_backend_refused():
    refused('balance', 'round_robin', 'needs several backends', to=['10.0.0.2'], balance='round_robin')
    refused('balance', 'random', 'single backend per family', to=['10.0.0.2', '2001:db8::2'], balance='random')


def test_several_backends_need_balance():
    refused('balance', 'None', 'is required with several backends', to=['10.0.0.2', '10.0.0.3'])


def test_duplicate_backend_refused():
    refused('to', '10.0.0.2', 'listed twice', to=['10.0.0.2:80', '10.0.0.2:80'], balance='random')


@pytest.mark.parametrize('name, reason', [
    ('this-name-is-too-long0', '15 bytes'),
    ('bad/name', "'/'"),
    ('eth 0', "' '"),
    ('e*th', "'*' is only allowed at the end"),
])
def test_bad_in_interface_refused(name, reason):
    refused('in_interface', name, reason, in_interface=name)


def test_in_interface_wildcard_accepted():
    assert _dnat.validate(params(in_interface='veth*')).in_interface == 'veth*'


def test_missing_port_and_backends():
    refused('port', 'None', 'is required', port=None)
    refused('to', '[]', 'is empty', to=[])


def test_bad_port_refused():
    refused('port', '65536', 'outside the port range', port=65536)
    refused('port', '90-80', 'reversed range', port='90-80')


# -- rules -----------------------------------------------------------------------

def rules_of(**kwargs):
    return _dnat.build_rules(_dnat.validate(params(**kwargs)))


def by_chain(rules, chain):
    return [r for r in rules if r['chain'] == chain]


def statement(rule, key):
    found = [e[key] for e in rule['expr'] if key in e]
    assert len(found) == 1, rule
    return found[0]


def test_single_backend_rules():
    rules = rules_of(destination=['192.0.2.1'], to=['10.0.0.2:8080'], in_interface='outside')
    assert [r['chain'] for r in rules] == ['prerouting', 'forward']
    pre = rules[0]
    assert pre['family'] == 'ip'
    assert pre['expr'][0] == {'match': {'op': '==', 'left': {'meta': {'key': 'iifname'}}, 'right': 'outside'}}
    assert pre['expr'][1] == {'match': {'op': '==', 'left': {'payload': {'protocol': 'ip', 'field': 'daddr'}},
                                        'right': '192.0.2.1'}}
    assert pre['expr'][2] == {'match': {'op': '==', 'left': {'payload': {'protocol': 'tcp', 'field': 'dport'}},
                                        'right': 80}}
    assert pre['expr'][3] == {'counter': None}
    assert pre['expr'][4] == {'dnat': {'family': 'ip', 'addr': '10.0.0.2', 'port': 8080}}
    fwd = rules[1]
    assert fwd['expr'][-1] == {'accept': None}
    assert {'match': {'op': '==', 'left': {'ct': {'key': 'saddr', 'family': 'ip', 'dir': 'reply'}},
                      'right': '10.0.0.2'}} in fwd['expr']
    assert {'match': {'op': '==', 'left': {'ct': {'key': 'proto-src', 'dir': 'reply'}}, 'right': 8080}} in fwd['expr']
    assert {'match': {'op': 'in', 'left': {'ct': {'key': 'status'}}, 'right': 'dnat'}} in fwd['expr']


def test_default_destination_is_any_local_address():
    pre = rules_of(to=['2001:db8::2'], protocol='udp', port='5000-5010')[0]
    assert pre['family'] == 'ip6'
    assert pre['expr'][0] == {'match': {'op': '==', 'left': {'meta': {'key': 'nfproto'}}, 'right': 'ipv6'}}
    assert pre['expr'][1] == {'match': {'op': '==', 'left': {'fib': {'result': 'type', 'flags': ['daddr']}},
                                        'right': 'local'}}
    assert pre['expr'][2]['match']['left'] == {'payload': {'protocol': 'udp', 'field': 'dport'}}
    assert pre['expr'][2]['match']['right'] == {'range': [5000, 5010]}
    assert statement(pre, 'dnat') == {'family': 'ip6', 'addr': '2001:db8::2'}


def test_destination_set_and_prefix():
    pre = rules_of(destination=['192.0.2.1', '198.51.100.0/28'], to=['10.0.0.2'])[0]
    assert pre['expr'][0]['match']['right'] == {'set': ['192.0.2.1', {'prefix': {'addr': '198.51.100.0', 'len': 28}}]}


def test_round_robin_same_port_is_an_address_map():
    pre = rules_of(to=['10.0.0.2:8080', '10.0.0.3:8080'], balance='round_robin')[0]
    assert statement(pre, 'dnat') == {
        'family': 'ip',
        'addr': {'map': {'key': {'numgen': {'mode': 'inc', 'mod': 2, 'offset': 0}},
                         'data': {'set': [[0, '10.0.0.2'], [1, '10.0.0.3']]}}},
        'port': 8080,
    }


def test_random_distinct_ports_is_a_concat_map():
    pre = rules_of(to=['10.0.0.2:8081', '10.0.0.3:8082', '10.0.0.4:8083'], balance='random')[0]
    assert statement(pre, 'dnat') == {
        'family': 'ip',
        'addr': {'map': {'key': {'numgen': {'mode': 'random', 'mod': 3, 'offset': 0}},
                         'data': {'set': [[0, {'concat': ['10.0.0.2', 8081]}], [1, {'concat': ['10.0.0.3', 8082]}],
                                          [2, {'concat': ['10.0.0.4', 8083]}]]}}},
    }


def test_range_without_backend_ports_keeps_port():
    rules = rules_of(port='8000-8010', to=['10.0.0.2', '10.0.0.3'], balance='round_robin', masquerade_return=True)
    dnat = statement(rules[0], 'dnat')
    assert 'port' not in dnat
    fwd = by_chain(rules, 'forward')[0]
    assert {'match': {'op': '==', 'left': {'ct': {'key': 'proto-src', 'dir': 'reply'}},
                      'right': {'range': [8000, 8010]}}} in fwd['expr']
    post = by_chain(rules, 'postrouting')[0]
    assert post['expr'][-2:] == [{'counter': None}, {'masquerade': None}]
    assert {'match': {'op': '==', 'left': {'payload': {'protocol': 'tcp', 'field': 'dport'}},
                      'right': {'range': [8000, 8010]}}} in post['expr']


def test_dual_stack_rules_per_family():
    rules = rules_of(to=['10.0.0.2', '[2001:db8::2]:8080'], masquerade_return=True)
    assert [(r['chain'], r['family']) for r in rules] == [
        ('prerouting', 'ip'), ('prerouting', 'ip6'),
        ('forward', 'ip'), ('forward', 'ip6'),
        ('postrouting', 'ip'), ('postrouting', 'ip6'),
    ]
    assert statement(rules[1], 'dnat') == {'family': 'ip6', 'addr': '2001:db8::2', 'port': 8080}
    post6 = by_chain(rules, 'postrouting')[1]
    assert post6['expr'][1]['match']['left'] == {'payload': {'protocol': 'ip6', 'field': 'daddr'}}


def test_local_adds_output_rules_and_loopback_masquerade():
    spec = _dnat.validate(params(in_interface='outside', to=['10.0.0.2:3197', '[2001:db8::2]:3197'], local=True))
    assert spec.needs_route_localnet
    rules = _dnat.build_rules(spec)
    assert [(r['chain'], r['family']) for r in rules] == [
        ('prerouting', 'ip'), ('prerouting', 'ip6'),
        ('output_nat', 'ip'), ('output_nat', 'ip6'),
        ('forward', 'ip'), ('forward', 'ip6'),
        ('output', 'ip'), ('output', 'ip6'),
        ('input', 'ip'), ('input', 'ip6'),
        ('postrouting', 'ip'),
    ]
    out = by_chain(rules, 'output_nat')[0]
    assert all('iifname' not in str(e) for e in out['expr'])
    assert 'iifname' in str(rules[0]['expr'][0])
    post = by_chain(rules, 'postrouting')[0]
    assert post['expr'][1] == {'match': {'op': '==', 'left': {'payload': {'protocol': 'ip', 'field': 'saddr'}},
                                         'right': {'prefix': {'addr': '127.0.0.0', 'len': 8}}}}
    assert post['expr'][-1] == {'masquerade': None}


def test_local_ipv6_only_needs_no_route_localnet():
    spec = _dnat.validate(params(to=['2001:db8::2'], local=True))
    assert not spec.needs_route_localnet
    assert not by_chain(_dnat.build_rules(spec), 'postrouting')


def test_masquerade_return_covers_loopback_sources():
    rules = rules_of(to=['10.0.0.2'], local=True, masquerade_return=True)
    post = by_chain(rules, 'postrouting')
    assert len(post) == 1
    assert 'saddr' not in str(post[0]['expr'])


def test_nft_syntax_in_interface_refused():
    """Quotes never reach nft (and user text only ever lands in JSON values)."""
    refused('in_interface', 'x";drop', 'quote', in_interface='x";drop')


def test_rules_are_deterministic():
    first = rules_of(to=['10.0.0.2', '10.0.0.3'], balance='random')
    assert first == rules_of(to=['10.0.0.2', '10.0.0.3'], balance='random')
