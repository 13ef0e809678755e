# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dnat module's pure logic: option parsing and the nft JSON rule set.

Everything here is free of side effects, so it is unit tested without a
kernel. The rules are nftables JSON expression lists (``man libnftables-json``);
user input only ever lands in JSON values, never in nft syntax.

The rule set for one ``dnat`` name, per address family of its backends:

prerouting   [iifname] (daddr | nfproto + fib daddr type local) l4 dport
             counter dnat to BACKEND | numgen inc/random mod N map {...}
output_nat   the same without iifname (``local``: locally generated traffic)
forward      per backend: nfproto l4proto ct status dnat
             ct reply saddr BACKEND ct reply proto-src BPORT counter accept
             (both directions of every connection DNATed to that backend)
input/output (``local``) the same accepts for the host's own connections
postrouting  per backend: ct status dnat daddr BACKEND dport BPORT counter
             masquerade (``masquerade_return``), or only for sources in
             127.0.0.0/8 (``local`` with IPv4: connections to 127.0.0.1)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.nftables import (
    check_ifname_pattern,
    counter,
    masquerade,
    match_ct_status,
    match_daddr,
    match_fib_daddr_local,
    match_iifname,
    match_l4proto,
    match_nfproto,
    match_saddr,
    port_value,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

PROTOCOLS = ('tcp', 'udp')
BALANCE_MODES = {'round_robin': 'inc', 'random': 'random'}
FAMILY = {4: 'ip', 6: 'ip6'}
NFPROTO = {4: 'ipv4', 6: 'ipv6'}
LOOPBACK_NET = ipaddress.ip_network('127.0.0.0/8')
ROUTE_LOCALNET_KEY = ('net', 'ipv4', 'conf', 'all', 'route_localnet')

_PORT_RE = re.compile(r'^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$')


# -- parsing -------------------------------------------------------------------

# The dnat module's options (the topology module validates its dnat entries with them).
ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    protocol=dict(type='str', choices=['tcp', 'udp'], default='tcp'),
    port=dict(type='raw'),
    destination=dict(type='list', elements='str'),
    in_interface=dict(type='str'),
    to=dict(type='list', elements='str'),
    balance=dict(type='str', choices=['round_robin', 'random']),
    local=dict(type='bool', default=False),
    masquerade_return=dict(type='bool', default=False),
)


def _port_number(option, shown, text):
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValidationError(option, shown, 'is outside the port range 1-65535')
    return port


def parse_port(option, value):
    """8080, '8080' or '8000-8010' -> int or (low, high) tuple.

    A range whose ends are equal is one port; a reversed range is refused.
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError(option, value, 'is not a port number or range; write 8080 or 8000-8010')
    if isinstance(value, int):
        return _port_number(option, value, value)
    if isinstance(value, float) and value == int(value):
        return _port_number(option, value, int(value))
    match = _PORT_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError(option, value, 'is not a port number or range; write 8080 or 8000-8010')
    low = _port_number(option, value, match.group(1))
    if match.group(2) is None:
        return low
    high = _port_number(option, value, match.group(2))
    if low > high:
        raise ValidationError(option, value, 'is a reversed range; write the lower port first (%d-%d)' % (high, low))
    if low == high:
        return low
    return (low, high)


def port_text(port):
    if isinstance(port, tuple):
        return '%d-%d' % port
    return str(port)


class Backend(object):
    """One DNAT target: an address and an optional port."""

    def __init__(self, address, port=None):
        self.address = address
        self.port = port

    @property
    def version(self):
        return self.address.version

    @property
    def family(self):
        return FAMILY[self.version]

    def with_port(self, port):
        return Backend(self.address, port)

    def __str__(self):
        addr = str(self.address)
        if self.port is None:
            return addr
        if self.version == 6:
            return '[%s]:%d' % (addr, self.port)
        return '%s:%d' % (addr, self.port)

    def __eq__(self, other):
        return isinstance(other, Backend) and (self.address, self.port) == (other.address, other.port)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self.address, self.port))

    def __repr__(self):
        return 'Backend(%r)' % str(self)


def _backend_address(option, shown, text):
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValidationError(option, shown, 'is not a backend address; write ADDRESS, ADDRESS:PORT or '
                              '[IPV6]:PORT (for example 10.0.0.2:8080 or [2001:db8::2]:8080)')
    if address.is_loopback:
        raise ValidationError(option, shown, 'is a loopback address; a backend must be reachable through an '
                              'interface (to serve a local port use the local option with the public address)')
    if address.is_unspecified or address.is_multicast or (address.version == 4 and address == ipaddress.ip_address('255.255.255.255')):
        raise ValidationError(option, shown, 'is not a unicast address')
    return address


def parse_backend(option, value):
    """'10.0.0.2', '10.0.0.2:8080', '[2001:db8::2]:8080', '[2001:db8::2]' or
    '2001:db8::2' -> Backend."""
    if not isinstance(value, str):
        raise ValidationError(option, value, 'is not a string; write ADDRESS, ADDRESS:PORT or [IPV6]:PORT')
    text = value.strip()
    port = None
    if text.startswith('['):
        close = text.find(']')
        if close < 0:
            raise ValidationError(option, value, "has '[' without ']'; write an IPv6 backend as [2001:db8::2]:8080")
        host, rest = text[1:close], text[close + 1:]
        if rest:
            if not rest.startswith(':') or not rest[1:].strip():
                raise ValidationError(option, value, "has %r after ']'; write [IPV6]:PORT" % rest)
            port = rest[1:]
        address = _backend_address(option, value, host)
        if address.version != 6:
            raise ValidationError(option, value, 'puts an IPv4 address in brackets; brackets are for IPv6 addresses')
    elif text.count(':') == 1:
        host, port = text.split(':')
        address = _backend_address(option, value, host)
    else:
        address = _backend_address(option, value, text)
    if port is not None:
        if not port.strip().isdigit():
            raise ValidationError(option, value, 'has a port that is not a number')
        port = _port_number(option, value, port.strip())
    return Backend(address, port)


def parse_destination(option, value):
    """An address or prefix (no host bits) -> ip_network."""
    if not isinstance(value, str):
        raise ValidationError(option, value, 'is not a string; write an address or a prefix such as 192.0.2.1 or 192.0.2.0/28')
    text = value.strip()
    if text.startswith('[') and text.endswith(']'):
        text = text[1:-1]
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValidationError(option, value, 'is not a valid address or prefix (%s)' % exc)
    if '/' in text and net.network_address != ipaddress.ip_interface(text).ip:
        raise ValidationError(option, value, 'has host bits set; the prefix is %s' % net)
    return net


# -- validation of the whole task ----------------------------------------------

class DnatSpec(object):
    """The validated options of one dnat rule set."""

    def __init__(self, protocol, port, destinations, in_interface, backends, balance, local, masquerade_return):
        self.protocol = protocol
        self.port = port
        self.destinations = destinations
        self.in_interface = in_interface
        self.backends = backends
        self.balance = balance
        self.local = local
        self.masquerade_return = masquerade_return

    @property
    def versions(self):
        """The address families served, IPv4 first."""
        return sorted(set(b.version for b in self.backends))

    def backends_of(self, version):
        return [b for b in self.backends if b.version == version]

    def destinations_of(self, version):
        return [d for d in self.destinations if d.version == version]

    @property
    def needs_route_localnet(self):
        """local with an IPv4 backend: 127.0.0.1 must be routable off lo."""
        return bool(self.local and 4 in self.versions)


def validate(params):
    """Module params -> DnatSpec for state=present. Raises ValidationError.

    Options read: protocol, port, destination, in_interface, to, balance,
    local, masquerade_return.
    """
    protocol = params.get('protocol') or 'tcp'
    if protocol not in PROTOCOLS:
        raise ValidationError('protocol', protocol, 'is not one of %s' % ', '.join(PROTOCOLS))
    if params.get('port') is None:
        raise ValidationError('port', None, 'is required when state=present')
    port = parse_port('port', params['port'])

    destinations = []
    dest_text = {}
    for value in params.get('destination') or []:
        net = parse_destination('destination', value)
        if net not in destinations:
            destinations.append(net)
            dest_text[net] = value

    in_interface = params.get('in_interface')
    if in_interface is not None:
        check_ifname_pattern('in_interface', in_interface)

    raw_backends = params.get('to') or []
    if not raw_backends:
        raise ValidationError('to', raw_backends, 'is empty; give at least one backend (ADDRESS[:PORT])')
    backends = []
    for value in raw_backends:
        backend = parse_backend('to', value)
        if backend in backends:
            raise ValidationError('to', value, 'is listed twice')
        backends.append(backend)

    # Backends without a port keep the destination port; with a single
    # port that is the same as naming it, which keeps the maps uniform.
    if isinstance(port, tuple):
        with_port = [b for b in backends if b.port is not None]
        if with_port and len(with_port) != len(backends):
            raise ValidationError('to', raw_backends, 'mixes backends with and without a port while port is the range '
                                  '%s; give every backend a port (all connections go to that port) or none (each '
                                  'connection keeps its port)' % port_text(port))
    else:
        backends = [b if b.port is not None else b.with_port(port) for b in backends]

    dest_versions = set(d.version for d in destinations)
    back_versions = set(b.version for b in backends)
    if destinations:
        for backend, value in zip(backends, raw_backends):
            if backend.version not in dest_versions:
                raise ValidationError('to', value, 'is an IPv%d backend, but destination has only IPv%d addresses (%s); '
                                      'a DNAT cannot change the address family'
                                      % (backend.version, 10 - backend.version, ', '.join(str(d) for d in destinations)))
        for net in destinations:
            if net.version not in back_versions:
                raise ValidationError('destination', dest_text[net], 'is an IPv%d destination without any IPv%d backend '
                                      'in to' % (net.version, net.version))

    balance = params.get('balance')
    per_family = max(len([b for b in backends if b.version == v]) for v in back_versions)
    if balance is not None and balance not in BALANCE_MODES:
        raise ValidationError('balance', balance, 'is not one of %s' % ', '.join(sorted(BALANCE_MODES)))
    if per_family > 1 and balance is None:
        raise ValidationError('balance', None, 'is required with several backends of one address family (%s); '
                              'choose round_robin or random' % ', '.join(str(b) for b in backends))
    if per_family == 1 and balance is not None:
        raise ValidationError('balance', balance, 'needs several backends of one address family, but to has a single '
                              'backend per family (%s)' % ', '.join(str(b) for b in backends))

    return DnatSpec(protocol=protocol, port=port, destinations=destinations, in_interface=in_interface,
                    backends=backends, balance=balance, local=bool(params.get('local')),
                    masquerade_return=bool(params.get('masquerade_return')))


# -- nft JSON expressions (the common matches come from _nft) -------------------

def _match(left, right, op='=='):
    return {'match': {'op': op, 'left': left, 'right': right}}


def _payload(protocol, field):
    return {'payload': {'protocol': protocol, 'field': field}}


def _dport(protocol, port):
    return _match(_payload(protocol, 'dport'), port_value(port))


def _dnat_target(spec, version):
    """The dnat statement for the backends of one family."""
    backends = spec.backends_of(version)
    stmt = {'family': FAMILY[version]}
    ports = set(b.port for b in backends)
    if len(backends) == 1:
        stmt['addr'] = str(backends[0].address)
        if backends[0].port is not None:
            stmt['port'] = backends[0].port
        return {'dnat': stmt}
    numgen = {'numgen': {'mode': BALANCE_MODES[spec.balance], 'mod': len(backends), 'offset': 0}}
    if len(ports) == 1:
        # One port for all (or none): a map of addresses, the port apart.
        data = [[i, str(b.address)] for i, b in enumerate(backends)]
        stmt['addr'] = {'map': {'key': numgen, 'data': {'set': data}}}
        port = ports.pop()
        if port is not None:
            stmt['port'] = port
    else:
        # Each backend its own port: one map of address . port, so that one
        # draw of the number generator picks both.
        data = [[i, {'concat': [str(b.address), b.port]}] for i, b in enumerate(backends)]
        stmt['addr'] = {'map': {'key': numgen, 'data': {'set': data}}}
    return {'dnat': stmt}


def _dnat_match(spec, version, with_iif):
    expr = []
    if with_iif and spec.in_interface:
        expr.append(match_iifname(spec.in_interface))
    dests = spec.destinations_of(version)
    if dests:
        expr.append(match_daddr([str(d) for d in dests], FAMILY[version]))
    else:
        expr.append(match_nfproto(FAMILY[version]))
        expr.append(match_fib_daddr_local())
    expr.append(_dport(spec.protocol, spec.port))
    return expr


def _backend_port(spec, backend):
    """The destination port of the translated packets to BACKEND."""
    return backend.port if backend.port is not None else spec.port


def _accept_expr(spec, backend):
    """Both directions of connections DNATed to BACKEND (conntrack's reply
    tuple starts at the backend), so a forward policy drop does not stop them."""
    return [
        match_nfproto(backend.family),
        match_l4proto(spec.protocol),
        match_ct_status('dnat'),
        _match({'ct': {'key': 'saddr', 'family': backend.family, 'dir': 'reply'}}, str(backend.address)),
        _match({'ct': {'key': 'proto-src', 'dir': 'reply'}}, port_value(_backend_port(spec, backend))),
        counter(),
        {'accept': None},
    ]


def _masquerade_expr(spec, backend, loopback_only):
    expr = [match_ct_status('dnat')]
    if loopback_only:
        expr.append(match_saddr([str(LOOPBACK_NET)], 'ip'))
    expr.append(match_daddr([str(backend.address)], backend.family))
    expr.append(_dport(spec.protocol, _backend_port(spec, backend)))
    expr.append(counter())
    expr.append(masquerade())
    return expr


def build_rules(spec):
    """DnatSpec -> list of dicts(chain, family, expr), in rule-set order."""
    rules = []

    def add(chain, version, expr):
        rules.append({'chain': chain, 'family': FAMILY[version], 'expr': expr})

    for chain, with_iif in (('prerouting', True), ('output_nat', False)):
        if chain == 'output_nat' and not spec.local:
            continue
        for version in spec.versions:
            add(chain, version, _dnat_match(spec, version, with_iif) + [counter(), _dnat_target(spec, version)])
    for chain in ('forward', 'output', 'input'):
        if chain != 'forward' and not spec.local:
            continue
        for backend in spec.backends:
            add(chain, backend.version, _accept_expr(spec, backend))
    for backend in spec.backends:
        if spec.masquerade_return:
            add('postrouting', backend.version, _masquerade_expr(spec, backend, False))
        elif spec.local and backend.version == 4:
            add('postrouting', backend.version, _masquerade_expr(spec, backend, True))
    return rules
