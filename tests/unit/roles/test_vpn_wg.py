# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_wg.py (the vpn_split_tunnel role's WireGuard helper): its pure logic.

The helper is a plain script shipped in roles/vpn_split_tunnel/files, not a
plugin, so it is loaded from its path. Nothing here touches the kernel, a
network namespace or a wg / wireguard-go binary: wg's output is given as text,
``run`` / ``subprocess.run`` and pyroute2's ``IPRoute`` are replaced by small
fakes that record what they are asked to do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import errno
import importlib.util
import json
import os
import random
import subprocess
import sys
import types

import pytest

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_HELPER = os.path.join(_REPO_ROOT, 'roles', 'vpn_split_tunnel', 'files', 'vpn_wg.py')


def _load_helper():
    spec = importlib.util.spec_from_file_location('linuxnet_plumbing_vpn_wg', _HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vpn_wg = _load_helper()


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
    hidden = vpn_wg.hide_keys(SHOWCONF)
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
        hidden = vpn_wg.hide_keys(text)
        assert key not in hidden
        assert key[:-1] not in hidden       # not even most of it
        assert '(hidden)' in hidden


def test_hide_keys_keeps_other_text():
    text = ('wg-gw: interface: 10.99.0.1/24 fd00::1/64 port 51820 fwmark 0xca6c; '
            'short base64 "abc=" and "QUJD", a word Configuration=, a path /usr/bin/wireguard-go')
    assert vpn_wg.hide_keys(text) == text


@pytest.mark.parametrize('empty', [None, ''])
def test_hide_keys_of_nothing_is_empty(empty):
    assert vpn_wg.hide_keys(empty) == ''


# ---------------------------------------------------------------- parse_conf

def test_parse_conf_reads_showconf():
    conf = vpn_wg.parse_conf(SHOWCONF)
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
    conf = vpn_wg.parse_conf(DESIRED)
    assert conf['interface'] == {'privatekey': GW_PRIVATE, 'listenport': '51820'}
    peer_b = conf['peers'][PEER_B_PUBLIC]
    # Two AllowedIPs lines add up; every prefix is in its canonical form.
    assert peer_b['allowedips'] == {'10.0.0.0/24', '192.0.2.0/24', '2001:db8:c::/64'}
    peer_a = conf['peers'][PEER_A_PUBLIC]
    assert peer_a['allowedips'] == {'10.99.0.2/32', '2001:db8:99::2/128'}
    assert peer_a['presharedkey'] == PSK       # the '=' of the base64 padding is part of the value


def test_parse_conf_peer_without_allowed_ips_and_empty_allowed_ips():
    conf = vpn_wg.parse_conf('[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs =\n'
                             % (GW_PRIVATE, PEER_A_PUBLIC, PEER_B_PUBLIC))
    assert 'allowedips' not in conf['peers'][PEER_A_PUBLIC]
    assert conf['peers'][PEER_B_PUBLIC]['allowedips'] == set()


@pytest.mark.parametrize('text', ['', '\n\n', '# only a comment\n', '   \n# x = y\n'])
def test_parse_conf_of_empty_text(text):
    assert vpn_wg.parse_conf(text) == {'interface': {}, 'peers': {}}


def test_parse_conf_refuses_a_line_without_equals():
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.parse_conf('[Peer]\nPublicKey = %s\nEndpoint 198.51.100.7:51820\n' % PEER_A_PUBLIC)
    assert str(err.value) == "cannot read the configuration line 'Endpoint 198.51.100.7:51820'"


def test_parse_conf_key_line_without_equals_does_not_leak_the_key():
    # A key ends in '=', so "PrivateKey <key>" splits at the key's padding: it is read as an unknown
    # setting, not refused. The private key is then "missing": named as a difference, never shown.
    conf = vpn_wg.parse_conf('[Interface]\nPrivateKey %s\n' % GW_PRIVATE)
    assert 'privatekey' not in conf['interface']
    assert vpn_wg.compare(conf, vpn_wg.parse_conf(SHOWCONF))[0] == 'private key'
    _assert_no_secret(' '.join(vpn_wg.compare(conf, vpn_wg.parse_conf(SHOWCONF))))


def test_parse_conf_refuses_a_setting_before_any_section():
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.parse_conf('PrivateKey = %s\n[Interface]\n' % GW_PRIVATE)
    assert GW_PRIVATE not in str(err.value)


@pytest.mark.parametrize('prefix', ['10.0.0.0/33', '2001:db8::/129', 'vpn.example.com', '10.0.0.256/32'])
def test_parse_conf_refuses_a_bad_allowed_ips_prefix_naming_the_setting_and_value(prefix):
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.parse_conf('[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/24, %s\n' % (PEER_A_PUBLIC, prefix))
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
    assert vpn_wg.normal_prefix(text) == normal


@pytest.mark.parametrize('text, normal', [
    ('10.1.0.1/16', '10.1.0.0/16'),
    ('192.0.2.77/24', '192.0.2.0/24'),
    ('2001:db8:c::1/64', '2001:db8:c::/64'),
])
def test_normal_prefix_masks_host_bits(text, normal):
    # The helper compares with `wg showconf`, which shows what the kernel / wireguard-go keep:
    # the masked prefix. It does not refuse host bits; validate.yml does that for the role's
    # variables (linuxnet.plumbing.ip_route in check mode, a message naming the variable and value).
    assert vpn_wg.normal_prefix(text) == normal


@pytest.mark.parametrize('text', ['', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/24/1', 'default', '10.0.0.1-10.0.0.9'])
def test_normal_prefix_refuses_what_is_not_a_prefix(text):
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.normal_prefix(text)
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
    assert vpn_wg.normal_endpoint(text) == normal


@pytest.mark.parametrize('text', [None, '', '198.51.100.7', '[2001:db8::5]', 'host:port'])
def test_normal_endpoint_leaves_what_it_cannot_read(text):
    assert vpn_wg.normal_endpoint(text) == text


def test_normal_endpoint_tells_ipv6_writings_apart_only_by_value():
    assert vpn_wg.normal_endpoint('[2001:db8::5]:1') == vpn_wg.normal_endpoint('[2001:0db8:0:0::5]:1')
    assert vpn_wg.normal_endpoint('[2001:db8::5]:1') != vpn_wg.normal_endpoint('[2001:db8::6]:1')
    assert vpn_wg.normal_endpoint('[2001:db8::5]:1') != vpn_wg.normal_endpoint('[2001:db8::5]:2')


# ---------------------------------------------------------------- compare

def _compare(desired_text, current_text=SHOWCONF):
    diffs = vpn_wg.compare(vpn_wg.parse_conf(desired_text), vpn_wg.parse_conf(current_text))
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


# ---------------------------------------------------------------- cmd_sync, with wg replaced

class FakeWg(object):
    """Stands in for vpn_wg.run: answers `wg showconf` from a list of texts and records every call."""

    def __init__(self, showconfs, fail_setconf=None):
        self.showconfs = list(showconfs)
        self.fail_setconf = fail_setconf
        self.calls = []

    def __call__(self, argv, check=True):
        self.calls.append(list(argv))
        if argv[:2] == ['wg', 'showconf']:
            return 0, self.showconfs.pop(0), ''
        if argv[:2] == ['wg', 'setconf']:
            if self.fail_setconf:
                raise vpn_wg.HelperError('wg setconf failed (rc 1): %s' % vpn_wg.hide_keys(self.fail_setconf))
            return 0, '', ''
        raise AssertionError('unexpected command %r' % (argv,))


@pytest.fixture
def sync_env(monkeypatch, tmp_path):
    """A desired configuration file, the device present, namespaces entered by a recorder."""
    config = tmp_path / 'gateway.conf'
    config.write_text(DESIRED)
    entered = []
    monkeypatch.setattr(vpn_wg, 'enter_netns', entered.append)
    monkeypatch.setattr(vpn_wg, 'link_exists', lambda dev: dev == 'wg-gw')

    def install(*showconfs, **kwargs):
        fake = FakeWg(showconfs, **kwargs)
        monkeypatch.setattr(vpn_wg, 'run', fake)
        return fake

    return types.SimpleNamespace(config=str(config), entered=entered, install=install)


def _sync_args(config, check=False, dev='wg-gw'):
    return vpn_wg.parse(['sync', '--netns', 'vpn-gw', '--dev', dev, '--config', config] + (['--check'] if check else []))


def test_sync_in_sync_runs_only_showconf(sync_env):
    wg = sync_env.install(SHOWCONF)
    assert vpn_wg.cmd_sync(_sync_args(sync_env.config)) == {'changed': False, 'differences': []}
    assert wg.calls == [['wg', 'showconf', 'wg-gw']]
    assert sync_env.entered == ['vpn-gw']


def test_sync_differing_runs_setconf_then_checks_again(sync_env):
    drifted = SHOWCONF.replace('Endpoint = 198.51.100.7:51820', 'Endpoint = 198.51.100.9:51820')
    wg = sync_env.install(drifted, SHOWCONF)
    result = vpn_wg.cmd_sync(_sync_args(sync_env.config))
    assert result == {'changed': True, 'differences': ['peer %s: endpoint' % PEER_B_PUBLIC]}
    assert wg.calls == [['wg', 'showconf', 'wg-gw'], ['wg', 'setconf', 'wg-gw', sync_env.config], ['wg', 'showconf', 'wg-gw']]


def test_sync_check_mode_reports_without_setconf(sync_env):
    wg = sync_env.install(SHOWCONF.replace(GW_PRIVATE, CL_PRIVATE))
    result = vpn_wg.cmd_sync(_sync_args(sync_env.config, check=True))
    assert result == {'changed': True, 'differences': ['private key']}
    assert wg.calls == [['wg', 'showconf', 'wg-gw']]


def test_sync_fails_when_setconf_did_not_take(sync_env):
    drifted = SHOWCONF.replace('PersistentKeepalive = 25', 'PersistentKeepalive = 5')
    sync_env.install(drifted, drifted)
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.cmd_sync(_sync_args(sync_env.config))
    assert 'did not take' in str(err.value)
    assert 'persistent keepalive' in str(err.value)
    _assert_no_secret(str(err.value))


def test_sync_without_the_file(sync_env):
    missing = sync_env.config + '.missing'
    wg = sync_env.install()
    assert vpn_wg.cmd_sync(_sync_args(missing, check=True)) == {
        'changed': True, 'differences': ['configuration file %s not written yet' % missing]}
    with pytest.raises(vpn_wg.HelperError, match='cannot read the configuration file'):
        vpn_wg.cmd_sync(_sync_args(missing))
    assert wg.calls == []


def test_sync_without_the_device(sync_env):
    wg = sync_env.install()
    assert vpn_wg.cmd_sync(_sync_args(sync_env.config, check=True, dev='wg-cl')) == {
        'changed': True, 'differences': ['device wg-cl does not exist yet']}
    with pytest.raises(vpn_wg.HelperError, match='the WireGuard device wg-cl does not exist'):
        vpn_wg.cmd_sync(_sync_args(sync_env.config, dev='wg-cl'))
    assert wg.calls == []


# ---------------------------------------------------------------- main: what reaches Ansible

def test_main_output_never_shows_a_secret(sync_env, capsys):
    sync_env.install(SHOWCONF.replace(PSK, _key('old psk')), SHOWCONF)
    assert vpn_wg.main(['sync', '--dev', 'wg-gw', '--config', sync_env.config]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {'changed': True, 'differences': ['peer %s: preshared key' % PEER_A_PUBLIC]}
    _assert_no_secret(out)
    assert _key('old psk') not in out


def test_main_failure_hides_keys_in_the_message(sync_env, capsys):
    sync_env.install(SHOWCONF.replace(GW_PRIVATE, CL_PRIVATE),
                     fail_setconf="Key is not the correct length or format: `%s'" % GW_PRIVATE)
    assert vpn_wg.main(['sync', '--dev', 'wg-gw', '--config', sync_env.config]) == 1
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result['failed'] is True and result['changed'] is False
    assert '(hidden)' in result['msg']
    _assert_no_secret(out)


def test_main_hides_keys_in_any_helper_error(monkeypatch, capsys):
    def boom(_args):
        raise vpn_wg.HelperError('private key %s rejected' % GW_PRIVATE)
    monkeypatch.setattr(vpn_wg, 'cmd_prune', boom)
    assert vpn_wg.main(['prune']) == 1
    out = capsys.readouterr().out
    assert json.loads(out) == {'failed': True, 'changed': False, 'msg': 'private key (hidden) rejected'}


@pytest.mark.parametrize('argv, missing', [
    (['up', '--dev', 'wg0'], 'up needs --pidfile'),
    (['down', '--pidfile', '/run/x.pid'], 'down needs --dev'),
    (['sync', '--dev', 'wg0'], 'sync needs --config'),
])
def test_parse_requires_the_options_of_each_command(argv, missing, capsys):
    with pytest.raises(SystemExit) as err:
        vpn_wg.parse(argv)
    assert err.value.code == 2
    assert missing in capsys.readouterr().err


def test_parse_defaults():
    args = vpn_wg.parse(['up', '--dev', 'wg0', '--pidfile', '/run/wg0.pid'])
    assert (args.netns, args.implementation, args.wireguard_go, args.check) == ('', 'auto', 'wireguard-go', False)
    with pytest.raises(SystemExit):
        vpn_wg.parse(['up', '--dev', 'wg0', '--pidfile', '/run/wg0.pid', '--implementation', 'userspace'])


# ---------------------------------------------------------------- run, environment, names

class FakeCompleted(object):
    def __init__(self, returncode, stdout=b'', stderr=b''):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def test_run_failure_message_hides_keys(monkeypatch):
    seen = {}

    def fake_run(argv, **kwargs):
        seen.update(kwargs, argv=argv)
        return FakeCompleted(1, stderr=("Key is not the correct length or format: `%s'\n" % GW_PRIVATE).encode())
    monkeypatch.setattr(vpn_wg.subprocess, 'run', fake_run)
    with pytest.raises(vpn_wg.HelperError) as err:
        vpn_wg.run(['wg', 'setconf', 'wg-gw', '/etc/x.conf'])
    assert str(err.value) == "wg setconf wg-gw failed (rc 1): Key is not the correct length or format: `(hidden)'"
    assert seen['argv'] == ['wg', 'setconf', 'wg-gw', '/etc/x.conf']     # an argument vector, no shell
    assert 'shell' not in seen or not seen['shell']
    assert seen['timeout'] == 60


def test_run_unchecked_returns_the_output(monkeypatch):
    monkeypatch.setattr(vpn_wg.subprocess, 'run', lambda argv, **kw: FakeCompleted(3, b'out\n', b'err\n'))
    assert vpn_wg.run(['wg', 'show'], check=False) == (3, 'out\n', 'err\n')


def test_run_missing_program_and_timeout(monkeypatch):
    def missing(argv, **_kwargs):
        raise OSError(errno.ENOENT, 'No such file or directory')
    monkeypatch.setattr(vpn_wg.subprocess, 'run', missing)
    with pytest.raises(vpn_wg.HelperError, match='cannot run wg: .*apt-get install wireguard-tools wireguard-go'):
        vpn_wg.run(['wg', 'showconf', 'wg0'])

    def slow(argv, **_kwargs):
        raise subprocess.TimeoutExpired(argv, 60)
    monkeypatch.setattr(vpn_wg.subprocess, 'run', slow)
    with pytest.raises(vpn_wg.HelperError, match='wg showconf wg0 did not finish within 60 s'):
        vpn_wg.run(['wg', 'showconf', 'wg0'])


def test_clean_env_drops_wireguard_go_settings(monkeypatch):
    monkeypatch.setenv('WG_PROCESS_FOREGROUND', '1')
    monkeypatch.setenv('WG_TUN_FD', '3')
    monkeypatch.setenv('LOG_LEVEL', 'debug')
    monkeypatch.setenv('PATH', '/usr/sbin:/usr/bin')
    env = vpn_wg.clean_env()
    assert not [k for k in env if k.startswith('WG_')]
    assert 'LOG_LEVEL' not in env
    assert env['PATH'] == '/usr/sbin:/usr/bin'


@pytest.mark.parametrize('name', ['../etc', 'a/b', '.', '..'])
def test_enter_netns_refuses_a_path_as_name(name):
    with pytest.raises(vpn_wg.HelperError, match='bad namespace name'):
        vpn_wg.enter_netns(name)


def test_enter_netns_of_the_empty_name_stays(monkeypatch):
    def no_open(*_args):
        raise AssertionError('nothing is opened for the current namespace')
    monkeypatch.setattr(vpn_wg.os, 'open', no_open)
    assert vpn_wg.enter_netns('') is None


# ---------------------------------------------------------------- daemons, pid files, prune

def _fake_proc(monkeypatch, cmdline, environ):
    files = {'/proc/42/cmdline': cmdline, '/proc/42/environ': environ}
    monkeypatch.setattr(vpn_wg, 'read_file', lambda path, mode='r': files.get(path))


@pytest.mark.parametrize('cmdline, environ, dev, expected', [
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'PATH=/bin\0WG_PROCESS_FOREGROUND=1\0', 'wg-gw', True),
    (b'wireguard-go\0-f\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-gw', True),
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'PATH=/bin\0', 'wg-gw', False),               # the parent, not the daemon
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'WG_PROCESS_FOREGROUND=10\0', 'wg-gw', False),
    (b'/usr/bin/wireguard-go\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-cl', False),  # another device
    (b'/usr/bin/wireguard-go-old\0wg-gw\0', b'WG_PROCESS_FOREGROUND=1\0', 'wg-gw', False),
    (b'/usr/bin/wireguard-go\0', b'WG_PROCESS_FOREGROUND=1\0', '/usr/bin/wireguard-go', False),
    (None, None, 'wg-gw', False),                                                       # no such process
])
def test_is_daemon_of(monkeypatch, cmdline, environ, dev, expected):
    _fake_proc(monkeypatch, cmdline, environ)
    assert vpn_wg.is_daemon_of(42, dev) is expected


@pytest.mark.parametrize('content, pid', [('1234\n', 1234), ('  77 extra\n', 77), ('', None), ('x\n', None)])
def test_read_pid(tmp_path, content, pid):
    pidfile = tmp_path / 'wg.pid'
    pidfile.write_text(content)
    assert vpn_wg.read_pid(str(pidfile)) == pid


def test_read_pid_without_file_and_write_pidfile(tmp_path):
    pidfile = tmp_path / 'run' / 'lab' / 'wg-gw.pid'
    assert vpn_wg.read_pid(str(pidfile)) is None
    vpn_wg.write_pidfile(str(pidfile), 4321)
    assert pidfile.read_text() == '4321\n'
    assert vpn_wg.read_pid(str(pidfile)) == 4321


def test_prune_removes_only_empty_directories_in_order(tmp_path):
    conf = tmp_path / 'keys' / 'lab'
    conf.mkdir(parents=True)
    kept = tmp_path / 'kept'
    kept.mkdir()
    (kept / 'gateway.key').write_text('x')
    paths = [str(conf), str(tmp_path / 'keys'), str(kept), str(tmp_path / 'absent')]

    check = vpn_wg.cmd_prune(types.SimpleNamespace(path=paths, check=True))
    assert check == {'changed': True, 'removed': [str(conf)]}     # the parent is not empty yet
    assert conf.is_dir()

    result = vpn_wg.cmd_prune(types.SimpleNamespace(path=paths, check=False))
    assert result == {'changed': True, 'removed': [str(conf), str(tmp_path / 'keys')]}
    assert not (tmp_path / 'keys').exists()
    assert (kept / 'gateway.key').exists()
    assert vpn_wg.cmd_prune(types.SimpleNamespace(path=paths, check=False)) == {'changed': False, 'removed': []}


# ---------------------------------------------------------------- kernel links through a fake pyroute2

class FakeNetlinkError(Exception):
    def __init__(self, code, msg=''):
        super(FakeNetlinkError, self).__init__(code, msg)
        self.code = code


class FakeMsg(object):
    def __init__(self, attrs):
        self.attrs = attrs

    def get_attr(self, name):
        return self.attrs.get(name)


class FakeIPRoute(object):
    """Records link calls; answers link_lookup / get_links from a table of name -> (index, kind)."""

    def __init__(self, links=None, add_error=None):
        self.links = links or {}
        self.add_error = add_error
        self.calls = []
        self.entered = self.exited = 0

    def __enter__(self):
        self.entered += 1
        return self

    def __exit__(self, *_exc):
        self.exited += 1
        return False

    def link_lookup(self, ifname):
        self.calls.append(('link_lookup', ifname))
        return [self.links[ifname][0]] if ifname in self.links else []

    def get_links(self, index):
        self.calls.append(('get_links', index))
        kind = [k for i, k in self.links.values() if i == index][0]
        return [FakeMsg({'IFLA_LINKINFO': FakeMsg({'IFLA_INFO_KIND': kind}) if kind else None})]

    def link(self, command, **kwargs):
        self.calls.append(('link', command, kwargs))
        if command == 'add' and self.add_error is not None:
            raise self.add_error


@pytest.fixture
def fake_pyroute2(monkeypatch):
    """Install a pyroute2 stand-in whose IPRoute() returns the given FakeIPRoute."""
    def install(ipr):
        module = types.ModuleType('pyroute2')
        module.IPRoute = lambda: ipr
        monkeypatch.setitem(sys.modules, 'pyroute2', module)
        return ipr
    return install


@pytest.fixture
def no_pyroute2(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pyroute2', None)     # import pyroute2 -> ImportError


def test_kernel_create_adds_a_wireguard_link(fake_pyroute2):
    ipr = fake_pyroute2(FakeIPRoute())
    assert vpn_wg.kernel_create('wg-gw') is True
    assert ipr.calls == [('link', 'add', {'ifname': 'wg-gw', 'kind': 'wireguard'})]
    assert ipr.entered == ipr.exited == 1


@pytest.mark.parametrize('error', [
    FakeNetlinkError(errno.EOPNOTSUPP, 'Operation not supported'),
    FakeNetlinkError(errno.ENOENT, 'No such file or directory'),
    FakeNetlinkError(errno.EINVAL, 'Invalid argument'),
    RuntimeError('link kind wireguard NOT SUPPORTED here'),
])
def test_kernel_create_without_kernel_wireguard_falls_back(fake_pyroute2, error):
    ipr = fake_pyroute2(FakeIPRoute(add_error=error))
    assert vpn_wg.kernel_create('wg-gw') is False
    assert ipr.exited == 1


@pytest.mark.parametrize('error', [FakeNetlinkError(errno.EEXIST, 'File exists'), FakeNetlinkError(errno.EPERM, 'Operation not permitted')])
def test_kernel_create_other_errors_fail_naming_the_device(fake_pyroute2, error):
    fake_pyroute2(FakeIPRoute(add_error=error))
    with pytest.raises(vpn_wg.HelperError, match='cannot create the kernel WireGuard link wg-gw'):
        vpn_wg.kernel_create('wg-gw')


def test_kernel_create_without_pyroute2_falls_back(no_pyroute2):
    assert vpn_wg.kernel_create('wg-gw') is False


def test_kernel_delete_deletes_by_index(fake_pyroute2):
    ipr = fake_pyroute2(FakeIPRoute(links={'wg-gw': (7, 'wireguard')}))
    vpn_wg.kernel_delete('wg-gw')
    assert ipr.calls == [('link_lookup', 'wg-gw'), ('link', 'del', {'index': 7})]
    assert ipr.exited == 1


def test_kernel_delete_of_a_missing_link_does_nothing(fake_pyroute2):
    ipr = fake_pyroute2(FakeIPRoute())
    vpn_wg.kernel_delete('wg-gw')
    assert ipr.calls == [('link_lookup', 'wg-gw')]


@pytest.mark.parametrize('links, kind', [
    ({'wg-gw': (7, 'wireguard')}, 'wireguard'),
    ({'wg-gw': (7, 'tun')}, 'tun'),
    ({'wg-gw': (7, None)}, None),        # no IFLA_LINKINFO (a plain device)
    ({}, None),                          # no such link
])
def test_kernel_link_kind(fake_pyroute2, links, kind):
    ipr = fake_pyroute2(FakeIPRoute(links=links))
    assert vpn_wg.kernel_link_kind('wg-gw') == kind
    assert not [c for c in ipr.calls if c[0] == 'link']


def test_kernel_link_kind_without_pyroute2(no_pyroute2):
    assert vpn_wg.kernel_link_kind('wg-gw') is None
