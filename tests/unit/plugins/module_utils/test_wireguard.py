# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_plan.wireguard: wg's configuration text read, compared, written and shown
(pure logic; wg's output is given as text, nothing touches a device)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import random

import pytest

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan import wireguard as wgplan


def _key(seed):
    """A WireGuard-shaped key: base64 of 32 bytes (44 characters ending in '=')."""
    return base64.b64encode(bytes(random.Random(seed).getrandbits(8) for _dummy in range(32))).decode('ascii')


GW_PRIVATE = _key('gateway private')
CL_PRIVATE = _key('client private')
PEER_A_PUBLIC = _key('peer a public')
PEER_B_PUBLIC = _key('peer b public')
PEER_C_PUBLIC = _key('peer c public')
PSK = _key('preshared')
SECRETS = (GW_PRIVATE, CL_PRIVATE, PSK)

# What `wg showconf wg-gw` prints (wireguard-tools showconf.c: ListenPort, FwMark in hex, PrivateKey,
# then per peer PublicKey, PresharedKey, "AllowedIPs = a, b", Endpoint with IPv6 in brackets, keepalive).
SHOWCONF = """\
[Interface]
ListenPort = 51820
PrivateKey = {gw}

[Peer]
PublicKey = {a}
PresharedKey = {psk}
AllowedIPs = 10.99.0.2/32, 2001:db8:99::2/128
Endpoint = [2001:db8:1::5]:40123
PersistentKeepalive = 25

[Peer]
PublicKey = {b}
AllowedIPs = 10.0.0.0/24, 192.0.2.0/24, 2001:db8:c::/64
Endpoint = 198.51.100.7:51820
""".format(gw=GW_PRIVATE, a=PEER_A_PUBLIC, b=PEER_B_PUBLIC, psk=PSK)

# The same configuration as a hand-written / templated file: other order, case, spacing,
# comments, allowed IPs split over two lines and written differently, endpoint spelled out.
DESIRED = """\
# Ansible managed
# linuxnet.plumbing.vpn_split_tunnel 'lab': the gateway end (wg-gw)

[interface]
privatekey={gw}   # kept key
listenport = 51820

[ Peer ]   # second peer first
PublicKey = {b}
AllowedIPs = 2001:DB8:C:0::/64 , 192.0.2.0/24
AllowedIPs = 10.0.0.0/24
Endpoint = 198.51.100.7:51820

[Peer]
PublicKey    =    {a}
PresharedKey = {psk}
PersistentKeepalive = 25
AllowedIPs = 2001:db8:99:0:0:0:0:2/128, 10.99.0.2
Endpoint = [2001:DB8:1:0::5]:40123
""".format(gw=GW_PRIVATE, a=PEER_A_PUBLIC, b=PEER_B_PUBLIC, psk=PSK)


def _desired(**replace):
    """DESIRED with whole lines replaced: {'old line': 'new line' or ''}."""
    text = DESIRED
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def _assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


# ---------------------------------------------------------------- hide_keys

def test_hide_keys_hides_every_key_of_showconf():
    hidden = wgplan.hide_keys(SHOWCONF)
    for key in (GW_PRIVATE, PSK, PEER_A_PUBLIC, PEER_B_PUBLIC):
        assert key not in hidden
    assert hidden.count('(hidden)') == 4
    assert 'PrivateKey = (hidden)\n' in hidden
    # Everything else is kept.
    assert 'AllowedIPs = 10.0.0.0/24, 192.0.2.0/24, 2001:db8:c::/64' in hidden
    assert 'Endpoint = [2001:db8:1::5]:40123' in hidden
    assert 'ListenPort = 51820' in hidden


@pytest.mark.parametrize('seed', range(200))
def test_hide_keys_hides_any_32_byte_key(seed):
    key = _key(seed)
    for text in (key, 'PrivateKey = %s\n' % key, "wg: Key is not the correct length or format: `%s'" % key,
                 '{"private_key": "%s"}' % key, 'private_key=%s;' % key, '/etc/wireguard/%s' % key):
        hidden = wgplan.hide_keys(text)
        assert key not in hidden
        assert key[:-1] not in hidden       # not even most of it
        assert '(hidden)' in hidden


def test_hide_keys_keeps_other_text():
    text = ('wg-gw: interface: 10.99.0.1/24 fd00::1/64 port 51820 fwmark 0xca6c; '
            'short base64 "abc=" and "QUJD", a word Configuration=, a path /usr/bin/wireguard-go')
    assert wgplan.hide_keys(text) == text


@pytest.mark.parametrize('empty', [None, ''])
def test_hide_keys_of_nothing_is_empty(empty):
    assert wgplan.hide_keys(empty) == ''


# ---------------------------------------------------------------- parse_conf

def test_parse_conf_reads_showconf():
    conf = wgplan.parse_conf(SHOWCONF)
    assert conf['interface'] == {'listenport': '51820', 'privatekey': GW_PRIVATE}
    assert sorted(conf['peers']) == sorted([PEER_A_PUBLIC, PEER_B_PUBLIC])
    assert conf['peers'][PEER_A_PUBLIC] == {
        'publickey': PEER_A_PUBLIC,
        'presharedkey': PSK,
        'allowedips': {'10.99.0.2/32', '2001:db8:99::2/128'},
        'endpoint': '[2001:db8:1::5]:40123',
        'persistentkeepalive': '25',
    }
    assert conf['peers'][PEER_B_PUBLIC] == {
        'publickey': PEER_B_PUBLIC,
        'allowedips': {'10.0.0.0/24', '192.0.2.0/24', '2001:db8:c::/64'},
        'endpoint': '198.51.100.7:51820',
    }


def test_parse_conf_of_a_written_file_ignores_comments_blank_lines_case_and_spacing():
    conf = wgplan.parse_conf(DESIRED)
    assert conf['interface'] == {'privatekey': GW_PRIVATE, 'listenport': '51820'}
    peer_b = conf['peers'][PEER_B_PUBLIC]
    # Two AllowedIPs lines add up; every prefix is in its canonical form.
    assert peer_b['allowedips'] == {'10.0.0.0/24', '192.0.2.0/24', '2001:db8:c::/64'}
    peer_a = conf['peers'][PEER_A_PUBLIC]
    assert peer_a['allowedips'] == {'10.99.0.2/32', '2001:db8:99::2/128'}
    assert peer_a['presharedkey'] == PSK       # the '=' of the base64 padding is part of the value


def test_parse_conf_peer_without_allowed_ips_and_empty_allowed_ips():
    conf = wgplan.parse_conf('[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs =\n'
                             % (GW_PRIVATE, PEER_A_PUBLIC, PEER_B_PUBLIC))
    assert 'allowedips' not in conf['peers'][PEER_A_PUBLIC]
    assert conf['peers'][PEER_B_PUBLIC]['allowedips'] == set()


@pytest.mark.parametrize('text', ['', '\n\n', '# only a comment\n', '   \n# x = y\n'])
def test_parse_conf_of_empty_text(text):
    assert wgplan.parse_conf(text) == {'interface': {}, 'peers': {}}


def test_parse_conf_refuses_a_line_without_equals():
    with pytest.raises(ModuleFailure) as err:
        wgplan.parse_conf('[Peer]\nPublicKey = %s\nEndpoint 198.51.100.7:51820\n' % PEER_A_PUBLIC)
    assert str(err.value) == "cannot read the configuration line 'Endpoint 198.51.100.7:51820'"


def test_parse_conf_key_line_without_equals_does_not_leak_the_key():
    # A key ends in '=', so "PrivateKey <key>" splits at the key's padding: it is read as an unknown
    # setting, not refused. The private key is then "missing": named as a difference, never shown.
    conf = wgplan.parse_conf('[Interface]\nPrivateKey %s\n' % GW_PRIVATE)
    assert 'privatekey' not in conf['interface']
    assert wgplan.compare(conf, wgplan.parse_conf(SHOWCONF))[0] == 'private key'
    _assert_no_secret(' '.join(wgplan.compare(conf, wgplan.parse_conf(SHOWCONF))))


def test_parse_conf_refuses_a_setting_before_any_section():
    with pytest.raises(ModuleFailure) as err:
        wgplan.parse_conf('PrivateKey = %s\n[Interface]\n' % GW_PRIVATE)
    assert GW_PRIVATE not in str(err.value)


@pytest.mark.parametrize('prefix', ['10.0.0.0/33', '2001:db8::/129', 'vpn.example.com', '10.0.0.256/32'])
def test_parse_conf_refuses_a_bad_allowed_ips_prefix_naming_the_setting_and_value(prefix):
    with pytest.raises(ModuleFailure) as err:
        wgplan.parse_conf('[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/24, %s\n' % (PEER_A_PUBLIC, prefix))
    assert 'AllowedIPs' in str(err.value)
    assert repr(prefix) in str(err.value)


# ---------------------------------------------------------------- normal_prefix / normal_endpoint

@pytest.mark.parametrize('text, normal', [
    ('10.0.0.0/24', '10.0.0.0/24'),
    ('0.0.0.0/0', '0.0.0.0/0'),
    ('10.99.0.2', '10.99.0.2/32'),
    ('10.99.0.2/32', '10.99.0.2/32'),
    ('::/0', '::/0'),
    ('2001:DB8:C:0:0::/64', '2001:db8:c::/64'),
    ('2001:db8:99::2', '2001:db8:99::2/128'),
    ('::ffff:10.0.0.0/120', '::ffff:a00:0/120'),
])
def test_normal_prefix(text, normal):
    assert wgplan.normal_prefix(text) == normal


@pytest.mark.parametrize('text, normal', [
    ('10.1.0.1/16', '10.1.0.0/16'),
    ('192.0.2.77/24', '192.0.2.0/24'),
    ('2001:db8:c::1/64', '2001:db8:c::/64'),
])
def test_normal_prefix_masks_host_bits(text, normal):
    # The helper compares with `wg showconf`, which shows what the kernel / wireguard-go keep:
    # the masked prefix. It does not refuse host bits; validate.yml does that for the role's
    # variables (linuxnet.plumbing.ip_route in check mode, a message naming the variable and value).
    assert wgplan.normal_prefix(text) == normal


@pytest.mark.parametrize('text', ['', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/24/1', 'default', '10.0.0.1-10.0.0.9'])
def test_normal_prefix_refuses_what_is_not_a_prefix(text):
    with pytest.raises(ModuleFailure) as err:
        wgplan.normal_prefix(text)
    assert str(err.value) == 'not an IP prefix in AllowedIPs: %r' % text


@pytest.mark.parametrize('text, normal', [
    ('198.51.100.7:51820', '198.51.100.7:51820'),
    ('198.51.100.7:051820', '198.51.100.7:51820'),
    ('[2001:db8:1::5]:40123', '2001:db8:1::5:40123'),
    ('[2001:DB8:1:0:0::5]:40123', '2001:db8:1::5:40123'),
    ('[fe80::1%eth0]:51820', 'fe80::1%eth0:51820'),
    ('vpn.example.com:51820', 'vpn.example.com:51820'),
])
def test_normal_endpoint(text, normal):
    assert wgplan.normal_endpoint(text) == normal


@pytest.mark.parametrize('text', [None, '', '198.51.100.7', '[2001:db8::5]', 'host:port'])
def test_normal_endpoint_leaves_what_it_cannot_read(text):
    assert wgplan.normal_endpoint(text) == text


def test_normal_endpoint_tells_ipv6_writings_apart_only_by_value():
    assert wgplan.normal_endpoint('[2001:db8::5]:1') == wgplan.normal_endpoint('[2001:0db8:0:0::5]:1')
    assert wgplan.normal_endpoint('[2001:db8::5]:1') != wgplan.normal_endpoint('[2001:db8::6]:1')
    assert wgplan.normal_endpoint('[2001:db8::5]:1') != wgplan.normal_endpoint('[2001:db8::5]:2')


# ---------------------------------------------------------------- compare

def _compare(desired_text, current_text=SHOWCONF):
    diffs = wgplan.compare(wgplan.parse_conf(desired_text), wgplan.parse_conf(current_text))
    for diff in diffs:
        _assert_no_secret(diff)
    return diffs


def test_compare_equal_but_differently_written_is_in_sync():
    assert _compare(DESIRED) == []


def test_compare_reordered_allowed_ips_and_peers_is_in_sync():
    reordered = SHOWCONF.replace('10.0.0.0/24, 192.0.2.0/24, 2001:db8:c::/64', '2001:db8:c::/64, 10.0.0.0/24, 192.0.2.0/24')
    reordered = reordered.replace('10.99.0.2/32, 2001:db8:99::2/128', '2001:db8:99::2/128, 10.99.0.2/32')
    interface, peer_a, peer_b = reordered.split('\n\n')
    assert _compare(interface + '\n\n' + peer_b + '\n' + peer_a + '\n') == []


def test_compare_identical_showconf_is_in_sync():
    assert _compare(SHOWCONF, SHOWCONF) == []


@pytest.mark.parametrize('desired_line, current_line', [
    ('', ''),
    ('PersistentKeepalive = 0\n', ''),
    ('PersistentKeepalive = off\n', ''),
    ('', 'PersistentKeepalive = off\n'),
    ('PersistentKeepalive = off\n', 'PersistentKeepalive = 0\n'),
])
def test_compare_keepalive_absent_off_and_zero_are_the_same(desired_line, current_line):
    base = '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n' % (CL_PRIVATE, PEER_A_PUBLIC)
    assert _compare(base + desired_line, base + current_line) == []


def test_compare_ignores_what_the_file_does_not_set():
    # No Endpoint (the gateway learns the client's), no ListenPort, no FwMark in the file.
    desired = _desired(**{'listenport = 51820\n': '', 'Endpoint = 198.51.100.7:51820\n': '',
                          'Endpoint = [2001:DB8:1:0::5]:40123\n': ''})
    current = SHOWCONF.replace('[Interface]\n', '[Interface]\nFwMark = 0xca6c\n')
    assert _compare(desired, current) == []


@pytest.mark.parametrize('replace, expected', [
    ({'privatekey={gw}'.format(gw=GW_PRIVATE): 'PrivateKey = ' + CL_PRIVATE}, ['private key']),
    ({'privatekey={gw}   # kept key\n'.format(gw=GW_PRIVATE): ''}, ['private key']),
    ({'listenport = 51820': 'ListenPort = 51821'}, ['listen port']),
    ({'AllowedIPs = 10.0.0.0/24\n': ''}, ['peer {b}: allowed ips']),
    ({'AllowedIPs = 10.0.0.0/24\n': 'AllowedIPs = 10.0.0.0/25\n'}, ['peer {b}: allowed ips']),
    ({'AllowedIPs = 10.0.0.0/24\n': 'AllowedIPs = 10.0.0.0/24, 10.0.1.0/24\n'}, ['peer {b}: allowed ips']),
    ({'2001:DB8:C:0::/64': '2001:DB8:C:0::/56'}, ['peer {b}: allowed ips']),
    ({'2001:db8:99:0:0:0:0:2/128': '2001:db8:99::3/128'}, ['peer {a}: allowed ips']),
    ({'PresharedKey = {psk}\n'.format(psk=PSK): ''}, ['peer {a}: preshared key']),
    ({'PresharedKey = {psk}'.format(psk=PSK): 'PresharedKey = ' + _key('other psk')}, ['peer {a}: preshared key']),
    ({'Endpoint = 198.51.100.7:51820': 'Endpoint = 198.51.100.8:51820'}, ['peer {b}: endpoint']),
    ({'Endpoint = 198.51.100.7:51820': 'Endpoint = 198.51.100.7:51821'}, ['peer {b}: endpoint']),
    ({'Endpoint = [2001:DB8:1:0::5]:40123': 'Endpoint = [2001:db8:1::6]:40123'}, ['peer {a}: endpoint']),
    ({'PersistentKeepalive = 25': 'PersistentKeepalive = 15'}, ['peer {a}: persistent keepalive']),
    ({'PersistentKeepalive = 25\n': ''}, ['peer {a}: persistent keepalive']),
    ({'PublicKey = {b}'.format(b=PEER_B_PUBLIC): 'PublicKey = ' + PEER_C_PUBLIC},
     ['peer {b}: not wanted', 'peer {c}: missing']),
])
def test_compare_names_each_difference(replace, expected):
    names = {'a': PEER_A_PUBLIC, 'b': PEER_B_PUBLIC, 'c': PEER_C_PUBLIC}
    assert _compare(_desired(**replace)) == [e.format(**names) for e in expected]


def test_compare_peer_removed_from_and_added_to_the_file():
    only_a = DESIRED.split('[ Peer ]')[0] + '[Peer]' + DESIRED.split('[Peer]')[1]
    assert _compare(only_a) == ['peer %s: not wanted' % PEER_B_PUBLIC]
    with_c = DESIRED + '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.98.0.0/16\n' % PEER_C_PUBLIC
    assert _compare(with_c) == ['peer %s: missing' % PEER_C_PUBLIC]


def test_compare_empty_device_needs_everything():
    diffs = _compare(DESIRED, '[Interface]\n')
    assert diffs[0] == 'private key'
    assert 'listen port' in diffs
    assert sorted(diffs[2:]) == sorted(['peer %s: missing' % PEER_A_PUBLIC, 'peer %s: missing' % PEER_B_PUBLIC])


def test_compare_same_fwmark_is_in_sync():
    fwmark = SHOWCONF.replace('[Interface]\n', '[Interface]\nFwMark = 0xca6c\n')
    assert _compare(fwmark, fwmark) == []
    assert _compare(fwmark.replace('0xca6c', '0xca6d'), fwmark) == ['fwmark']


# wg showconf prints FwMark in hex (0x%x) and leaves it out when it is 0.
@pytest.mark.parametrize('desired_fwmark, showconf_fwmark', [
    ('FwMark = 51820\n', 'FwMark = 0xca6c\n'),
    ('FwMark = off\n', ''),
    ('FwMark = 0\n', ''),
])
def test_compare_fwmark_written_as_wg_accepts_it(desired_fwmark, showconf_fwmark):
    desired = SHOWCONF.replace('[Interface]\n', '[Interface]\n' + desired_fwmark)
    current = SHOWCONF.replace('[Interface]\n', '[Interface]\n' + showconf_fwmark)
    assert _compare(desired, current) == []


# ---------------------------------------------------------------- the module's options

def _params(**kwargs):
    params = {'private_key': None, 'listen_port': None, 'fwmark': None, 'peers': None}
    params.update(kwargs)
    return params


def _peer(**kwargs):
    peer = {'public_key': PEER_A_PUBLIC, 'preshared_key': None, 'allowed_ips': [], 'endpoint': None,
            'persistent_keepalive': 0}
    peer.update(kwargs)
    return peer


EMPTY = {'interface': {}, 'peers': {}}


def test_desired_conf_is_in_sync_with_the_same_showconf():
    params = _params(private_key=GW_PRIVATE, listen_port=51820, peers=[
        _peer(preshared_key=PSK, allowed_ips=['10.99.0.2', '2001:db8:99::2/128'],
              endpoint='[2001:DB8:1:0::5]:40123', persistent_keepalive=25),
        _peer(public_key=PEER_B_PUBLIC, allowed_ips=['2001:db8:c::/64', '10.0.0.0/24', '192.0.2.0/24'],
              endpoint='198.51.100.7:51820')])
    current = wgplan.parse_conf(SHOWCONF)
    desired = wgplan.desired_conf(params, current)
    assert wgplan.compare(desired, current) == []
    assert wgplan.view(wgplan.merged(desired, current), 'pub') == wgplan.view(current, 'pub')


def test_desired_conf_keeps_what_is_not_given():
    current = wgplan.parse_conf(SHOWCONF)
    desired = wgplan.desired_conf(_params(), current)
    assert desired['interface'] == {'privatekey': GW_PRIVATE}    # the device's key is kept
    assert desired['peers'] == current['peers']                  # peers not managed
    assert wgplan.compare(desired, current) == []
    assert wgplan.desired_conf(_params(), EMPTY) == EMPTY         # a new device: the caller generates a key


def test_desired_conf_peers_are_exact_and_learned_endpoints_kept():
    current = wgplan.parse_conf(SHOWCONF)
    desired = wgplan.desired_conf(_params(peers=[_peer(preshared_key=PSK, persistent_keepalive=25,
                                                       allowed_ips=['10.99.0.2/32', '2001:db8:99::2/128'])]),
                                  current)
    assert wgplan.compare(desired, current) == ['peer %s: not wanted' % PEER_B_PUBLIC]
    applied = wgplan.merged(desired, current)
    assert sorted(applied['peers']) == [PEER_A_PUBLIC]
    assert applied['peers'][PEER_A_PUBLIC]['endpoint'] == '[2001:db8:1::5]:40123'
    assert applied['interface']['listenport'] == '51820'


@pytest.mark.parametrize('params, option, shown, reason', [
    (_params(private_key='dGVzdA=='), 'private_key', '(hidden: a secret, 8 characters)', 'is not a WireGuard key'),
    (_params(peers=[_peer(public_key='not-a-key')]), 'peers[0].public_key', 'not-a-key', '32 bytes in base64'),
    (_params(peers=[_peer(public_key=PEER_A_PUBLIC[:-2] + '=')]), 'peers[0].public_key', PEER_A_PUBLIC[:-2] + '=',
     'is not a WireGuard key'),
    (_params(peers=[_peer(), _peer()]), 'peers[1].public_key', PEER_A_PUBLIC, 'listed twice'),
    (_params(peers=[_peer(preshared_key='x' * 44)]), 'peers[0].preshared_key', '(hidden: a secret, 44 characters)',
     'is not a WireGuard key'),
    (_params(peers=[_peer(allowed_ips=['10.0.0.0/33'])]), 'peers[0].allowed_ips', '10.0.0.0/33', 'not a valid network prefix'),
    (_params(peers=[_peer(allowed_ips=['vpn.example'])]), 'peers[0].allowed_ips', 'vpn.example', 'not a valid network prefix'),
    (_params(peers=[_peer(allowed_ips=['10.1.0.1/16'])]), 'peers[0].allowed_ips', '10.1.0.1/16', 'host bits'),
    (_params(peers=[_peer(endpoint='192.0.2.1')]), 'peers[0].endpoint', '192.0.2.1', 'is not HOST:PORT'),
    (_params(peers=[_peer(endpoint='192.0.2.1:70000')]), 'peers[0].endpoint', '192.0.2.1:70000', 'outside the port range'),
    (_params(peers=[_peer(endpoint='[vpn]:51820')]), 'peers[0].endpoint', '[vpn]:51820', 'not an IPv6 address'),
    (_params(peers=[_peer(persistent_keepalive=65536)]), 'peers[0].persistent_keepalive', 65536, 'outside the range'),
    (_params(listen_port=70000), 'listen_port', 70000, 'outside the port range 1-65535'),
    (_params(listen_port=0), 'listen_port', 0, 'outside the port range 1-65535'),
    (_params(fwmark=-1), 'fwmark', -1, 'outside the range'),
])
def test_desired_conf_refuses_bad_options_naming_option_and_value(params, option, shown, reason):
    with pytest.raises(ValidationError) as err:
        wgplan.desired_conf(params, EMPTY)
    assert err.value.option == option
    assert err.value.value == shown
    assert reason in str(err.value)
    assert "option '%s'" % option in str(err.value)
    _assert_no_secret(str(err.value))


def test_check_key_never_shows_a_secret():
    with pytest.raises(ValidationError) as err:
        wgplan.check_key('private_key', GW_PRIVATE[:-2] + '=', secret=True)
    assert GW_PRIVATE[:-2] not in str(err.value)
    assert wgplan.check_key('private_key', GW_PRIVATE, secret=True) == GW_PRIVATE


@pytest.mark.parametrize('endpoint, normal', [
    ('192.0.2.1:51820', '192.0.2.1:51820'),
    ('[2001:DB8::1]:51820', '2001:db8::1:51820'),
    ('vpn.example.com:1', 'vpn.example.com:1'),
])
def test_check_endpoint(endpoint, normal):
    assert wgplan.check_endpoint('endpoint', endpoint) == normal


# ---------------------------------------------------------------- render, view

def test_render_conf_round_trips_through_parse_conf():
    conf = wgplan.parse_conf(SHOWCONF.replace('[Interface]\n', '[Interface]\nFwMark = 0xca6c\n'))
    text = wgplan.render_conf(conf)
    assert wgplan.parse_conf(text) == conf
    assert text.startswith('[Interface]\nPrivateKey = %s\nListenPort = 51820\nFwMark = 0xca6c\n' % GW_PRIVATE)
    assert 'AllowedIPs = 10.0.0.0/24, 192.0.2.0/24, 2001:db8:c::/64\n' in text


def test_render_conf_leaves_out_what_is_off():
    conf = {'interface': {'privatekey': GW_PRIVATE}, 'peers': {PEER_A_PUBLIC: {
        'publickey': PEER_A_PUBLIC, 'allowedips': set(), 'persistentkeepalive': '0'}}}
    assert wgplan.render_conf(conf) == '[Interface]\nPrivateKey = %s\n\n[Peer]\nPublicKey = %s\n' % (GW_PRIVATE, PEER_A_PUBLIC)


def test_view_hides_private_and_preshared_keys():
    shown = wgplan.view(wgplan.parse_conf(SHOWCONF), 'PUBLIC')
    _assert_no_secret(repr(shown))
    assert shown == {
        'public_key': 'PUBLIC', 'private_key': '(hidden)', 'listen_port': 51820, 'fwmark': None,
        'peers': [
            {'public_key': k, 'preshared_key': psk, 'allowed_ips': ips, 'endpoint': ep, 'persistent_keepalive': ka}
            for k, psk, ips, ep, ka in sorted([
                (PEER_A_PUBLIC, '(hidden)', ['10.99.0.2/32', '2001:db8:99::2/128'], '2001:db8:1::5:40123', 25),
                (PEER_B_PUBLIC, None, ['10.0.0.0/24', '192.0.2.0/24', '2001:db8:c::/64'], '198.51.100.7:51820', 0),
            ])
        ],
    }
    assert wgplan.view(EMPTY, None) == {'public_key': None, 'private_key': None, 'listen_port': None,
                                        'fwmark': None, 'peers': []}
