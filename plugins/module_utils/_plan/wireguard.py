# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A WireGuard device's configuration: read, wanted, compared, written, shown.

Pure logic for the wireguard module: ``wg showconf`` text is parsed into a
configuration dict, the module's options become one of the same shape, the two
are compared by name of the difference, and the configuration to apply is
rendered as ``wg setconf`` text. Keys never leave here in a form meant for
the user: differences name peers by public key only, views show private and
preshared keys as ``(hidden)``, and ``hide_keys`` scrubs any text.

A configuration dict: ``{'interface': {'privatekey', 'listenport', 'fwmark'},
'peers': {public key: {'publickey', 'presharedkey', 'allowedips' (a set of
canonical prefixes), 'endpoint', 'persistentkeepalive'}}}``; a key missing
from a wanted configuration is not managed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import ipaddress
import re

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_port,
    check_range,
    parse_prefix,
)

KEY_RE = re.compile(r'[A-Za-z0-9+/]{42,43}=')
HIDDEN = '(hidden)'


def hide_keys(text):
    """TEXT with every base64 WireGuard key (private, preshared or public) replaced."""
    return KEY_RE.sub(HIDDEN, text or '')


# ---------------------------------------------------------------- wg's configuration text

def parse_conf(text):
    """A WireGuard configuration text (wg showconf, or a file) -> configuration dict."""
    interface = {}
    peers = []
    current = None
    for raw in text.splitlines():
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        if line.startswith('['):
            section = line.strip('[]').strip().lower()
            current = {} if section == 'peer' else interface
            if section == 'peer':
                peers.append(current)
            continue
        if '=' not in line or current is None:
            raise ModuleFailure('cannot read the configuration line %r' % hide_keys(line))
        key, value = [part.strip() for part in line.split('=', 1)]
        key = key.lower()
        if key == 'allowedips':
            current.setdefault('allowedips', set()).update(
                normal_prefix(p.strip()) for p in value.split(',') if p.strip())
        else:
            current[key] = value
    return {'interface': interface, 'peers': dict((peer.get('publickey', ''), peer) for peer in peers)}


def render_conf(conf):
    """The configuration dict as `wg setconf` text (it holds keys: never shown)."""
    lines = ['[Interface]']
    for key, name in (('privatekey', 'PrivateKey'), ('listenport', 'ListenPort'), ('fwmark', 'FwMark')):
        if conf['interface'].get(key) not in (None, ''):
            lines.append('%s = %s' % (name, conf['interface'][key]))
    for pub in sorted(conf['peers']):
        peer = conf['peers'][pub]
        lines.extend(['', '[Peer]', 'PublicKey = %s' % pub])
        if peer.get('presharedkey'):
            lines.append('PresharedKey = %s' % peer['presharedkey'])
        if peer.get('allowedips'):
            lines.append('AllowedIPs = %s' % ', '.join(sorted(peer['allowedips'], key=_prefix_order)))
        if peer.get('endpoint'):
            lines.append('Endpoint = %s' % peer['endpoint'])
        if keepalive(peer.get('persistentkeepalive')):
            lines.append('PersistentKeepalive = %d' % keepalive(peer['persistentkeepalive']))
    return '\n'.join(lines) + '\n'


def _prefix_order(prefix):
    net = ipaddress.ip_network(prefix)
    return (net.version, net.network_address.packed, net.prefixlen)


def normal_prefix(text):
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise ModuleFailure('not an IP prefix in AllowedIPs: %r' % text)


def normal_endpoint(text):
    """HOST:PORT with the host's address in its canonical form; other text unchanged."""
    match = re.match(r'^\[?([^\]]+?)\]?:(\d+)$', text or '')
    if not match:
        return text
    try:
        host = str(ipaddress.ip_address(match.group(1)))
    except ValueError:
        host = match.group(1)
    return '%s:%d' % (host, int(match.group(2)))


def number_or_off(value):
    """FwMark as wg reads it (decimal, 0x hex, or off) -> int; wg showconf
    prints it in hex and leaves it out when it is 0."""
    text = str(value if value is not None else 0).strip().lower()
    if text in ('', 'off'):
        return 0
    try:
        return int(text, 0)
    except ValueError:
        return text


def keepalive(value):
    """PersistentKeepalive as an int: absent, off and 0 all mean off."""
    text = str(value if value is not None else 0).strip().lower()
    return 0 if text in ('', 'off') else int(text)


def compare(desired, current):
    """Names of the differences (never the key values)."""
    diffs = []
    want_if, have_if = desired['interface'], current['interface']
    if want_if.get('privatekey') != have_if.get('privatekey'):
        diffs.append('private key')
    if 'listenport' in want_if and str(want_if['listenport']) != str(have_if.get('listenport')):
        diffs.append('listen port')
    if 'fwmark' in want_if and number_or_off(want_if['fwmark']) != number_or_off(have_if.get('fwmark')):
        diffs.append('fwmark')
    want, have = desired['peers'], current['peers']
    for pub in sorted(set(have) - set(want)):
        diffs.append('peer %s: not wanted' % pub)
    for pub in sorted(want):
        if pub not in have:
            diffs.append('peer %s: missing' % pub)
            continue
        w, h = want[pub], have[pub]
        if w.get('allowedips', set()) != h.get('allowedips', set()):
            diffs.append('peer %s: allowed ips' % pub)
        if w.get('presharedkey') != h.get('presharedkey'):
            diffs.append('peer %s: preshared key' % pub)
        if 'endpoint' in w and normal_endpoint(w['endpoint']) != normal_endpoint(h.get('endpoint')):
            diffs.append('peer %s: endpoint' % pub)
        if keepalive(w.get('persistentkeepalive')) != keepalive(h.get('persistentkeepalive')):
            diffs.append('peer %s: persistent keepalive' % pub)
    return diffs


def merged(desired, current):
    """What to apply: the wanted configuration, with what it does not manage
    (listen port, fwmark, a peer's learned endpoint) taken from the device."""
    interface = dict(current['interface'])
    interface.update(desired['interface'])
    peers = {}
    for pub, peer in desired['peers'].items():
        peers[pub] = dict(peer)
        if 'endpoint' not in peer and current['peers'].get(pub, {}).get('endpoint'):
            peers[pub]['endpoint'] = current['peers'][pub]['endpoint']
    return {'interface': interface, 'peers': peers}


# ---------------------------------------------------------------- the module's options

def check_key(option, value, secret=False):
    """A WireGuard key: base64 of 32 bytes. A secret is described, not shown."""
    text = value if isinstance(value, str) else str(value)
    try:
        raw = base64.b64decode(text.encode('ascii'), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b''
    if len(raw) != 32 or len(text) != 44:
        shown = '(hidden: a secret, %d characters)' % len(text) if secret else text
        raise ValidationError(option, shown, "is not a WireGuard key: it must be 32 bytes in base64 "
                                             "(44 characters ending in '=', as 'wg genkey' prints it)")
    return text


def check_endpoint(option, value):
    """HOST:PORT, [IPV6]:PORT; the port 1-65535."""
    match = re.match(r'^(\[[^\]]+\]|[^:\[\]]+):([0-9]+)$', value or '')
    if not match:
        raise ValidationError(option, value, 'is not HOST:PORT (an IPv6 address in brackets: [2001:db8::1]:51820)')
    host = match.group(1)
    if host.startswith('['):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValidationError(option, value, 'has %s in brackets, which is not an IPv6 address' % host)
    try:
        check_port(option, int(match.group(2)))
    except ValidationError:
        raise ValidationError(option, value, 'has port %s, outside the port range 1-65535' % match.group(2))
    return normal_endpoint(value)


def desired_conf(params, current):
    """The module's options -> (wanted configuration dict, error-free).

    private_key None keeps the device's key (the caller generates one for a
    device without); peers None leaves the peers as they are.
    """
    interface = {}
    if params.get('private_key') is not None:
        interface['privatekey'] = check_key('private_key', params['private_key'], secret=True)
    elif current['interface'].get('privatekey'):
        interface['privatekey'] = current['interface']['privatekey']
    if params.get('listen_port') is not None:
        interface['listenport'] = str(check_port('listen_port', params['listen_port']))
    if params.get('fwmark') is not None:
        interface['fwmark'] = '0x%x' % check_range('fwmark', params['fwmark'], 0, 0xffffffff)
    if params.get('peers') is None:
        return {'interface': interface, 'peers': dict(current['peers'])}
    peers = {}
    for index, peer in enumerate(params['peers']):
        where = 'peers[%d].' % index
        pub = check_key(where + 'public_key', peer.get('public_key'))
        if pub in peers:
            raise ValidationError(where + 'public_key', pub, 'is listed twice; each peer once')
        want = {'publickey': pub, 'allowedips': set()}
        for prefix in peer.get('allowed_ips') or []:
            want['allowedips'].add(str(parse_prefix(where + 'allowed_ips', prefix)))
        if peer.get('preshared_key'):
            want['presharedkey'] = check_key(where + 'preshared_key', peer['preshared_key'], secret=True)
        if peer.get('endpoint'):
            want['endpoint'] = check_endpoint(where + 'endpoint', peer['endpoint'])
        want['persistentkeepalive'] = str(check_range(where + 'persistent_keepalive',
                                                      peer.get('persistent_keepalive') or 0, 0, 65535))
        peers[pub] = want
    return {'interface': interface, 'peers': peers}


def view(conf, public_key):
    """The configuration as the user sees it (diff, return value): no secret."""
    interface = conf['interface']
    port = interface.get('listenport')
    fwmark = number_or_off(interface.get('fwmark'))
    peers = []
    for pub in sorted(conf['peers']):
        peer = conf['peers'][pub]
        endpoint = peer.get('endpoint')
        peers.append({
            'public_key': pub,
            'preshared_key': HIDDEN if peer.get('presharedkey') else None,
            'allowed_ips': sorted(peer.get('allowedips', set()), key=_prefix_order),
            'endpoint': normal_endpoint(endpoint) if endpoint else None,
            'persistent_keepalive': keepalive(peer.get('persistentkeepalive')),
        })
    return {
        'public_key': public_key,
        'private_key': HIDDEN if interface.get('privatekey') else None,
        'listen_port': int(port) if port not in (None, '', '0') else None,
        'fwmark': fwmark or None,
        'peers': peers,
    }
