# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    check_netns_name,
    check_port,
    check_range,
    parse_address,
    parse_interface_address,
    parse_prefix,
)


@pytest.mark.parametrize('name', ['eth0', 'veth-ns1', 'a' * 15, 'br0.100'])
def test_ifname_accepts(name):
    assert check_ifname('name', name) == name


@pytest.mark.parametrize('name, words', [
    ('a' * 16, '16 bytes long'),
    ('\u00e9' * 8, '16 bytes long'),  # bytes, not characters, count
    ('a/b', "contains '/'"),
    ('a b', "contains ' '"),
    ('a:1', "contains ':'"),
    ('', 'is empty'),
    ('..', 'not a valid interface name'),
])
def test_ifname_refuses_with_option_and_value(name, words):
    with pytest.raises(ValidationError) as err:
        check_ifname('peer', name)
    assert "option 'peer'" in str(err.value)
    assert repr(name) in str(err.value)
    assert words in str(err.value)


@pytest.mark.parametrize('name', ['ns1', 'router-1', 'dns_server'])
def test_netns_name_accepts(name):
    assert check_netns_name('netns', name) == name


@pytest.mark.parametrize('name', ['a/b', '..', 'x..y', 'nul\0', ''])
def test_netns_name_refuses(name):
    with pytest.raises(ValidationError) as err:
        check_netns_name('netns', name)
    assert err.value.option == 'netns'
    assert err.value.value == name


def test_none_passes_through():
    assert check_ifname('dev', None) is None
    assert check_netns_name('netns', None) is None


def test_interface_address_keeps_host_bits_and_canonicalises():
    iface = parse_interface_address('address', '2001:DB8::1/64')
    assert str(iface) == '2001:db8::1/64'
    assert str(parse_interface_address('address', '10.0.0.1/24').ip) == '10.0.0.1'


@pytest.mark.parametrize('value, words', [
    ('10.0.0.1', 'no prefix length'),
    ('10.0.0.300/24', 'not a valid address'),
    ('10.0.0.1/33', 'not a valid address'),
    ('banana/24', 'not a valid address'),
])
def test_interface_address_refuses(value, words):
    with pytest.raises(ValidationError) as err:
        parse_interface_address('address', value)
    assert words in err.value.reason


def test_family_mismatch_is_named():
    with pytest.raises(ValidationError) as err:
        parse_interface_address('address', '2001:db8::1/64', family=4)
    assert 'IPv6 value where IPv4 is required' in str(err.value)
    with pytest.raises(ValidationError):
        parse_address('gateway', '10.0.0.1', family=6)


def test_prefix_refuses_host_bits():
    assert str(parse_prefix('dest', '10.1.0.0/16')) == '10.1.0.0/16'
    with pytest.raises(ValidationError) as err:
        parse_prefix('dest', '10.1.2.3/16')
    assert 'host bits set; the prefix is 10.1.0.0/16' in str(err.value)


def test_address_accepts_brackets():
    assert str(parse_address('to', '[2001:db8::5]')) == '2001:db8::5'


@pytest.mark.parametrize('port', [0, 65536, -1, 'http'])
def test_port_refuses(port):
    with pytest.raises(ValidationError):
        check_port('port', port)


def test_port_and_range_accept():
    assert check_port('port', '80') == 80
    assert check_range('mtu', 1500, 68, 65535) == 1500
    with pytest.raises(ValidationError):
        check_range('mtu', 10, 68, 65535)
