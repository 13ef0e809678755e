# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.ipv6_gateway role: the variables checked
and normalised in one place, and the EUI-64 address a MAC gets by SLAAC.

Pure logic, unit-tested in tests/unit/plugins/filter/test_ipv6_gateway.py.
(Roles inside a collection cannot ship their own filter_plugins, hence a
collection filter.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

MODES = ('slaac', 'ra-stateless', 'dhcpv6')
IFNAME_RE = re.compile(r'^[^/\s:]{1,15}$')
MAC_RE = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')
# A domain name for DNSSL: dot-separated labels, no characters a config line could be broken with.
DOMAIN_RE = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$')


def _show(value):
    return json.dumps(value, sort_keys=True, default=str)


def _network(text):
    try:
        net = ipaddress.ip_network(str(text), strict=True)
    except ValueError:
        return None
    return net if net.version == 6 else None


def _address(text):
    try:
        addr = ipaddress.ip_address(str(text))
    except ValueError:
        return None
    return addr


def _ifname(value):
    return isinstance(value, str) and bool(IFNAME_RE.match(value))


def _check_inside(inside, mode, errors):
    """The inside entries, normalised; problems appended to errors."""
    out = []
    if not isinstance(inside, list):
        errors.append('ipv6_gateway_inside %s must be a list of {interface, prefix}' % _show(inside))
        return out
    for index, entry in enumerate(inside):
        where = 'ipv6_gateway_inside[%d]' % index
        if not isinstance(entry, dict):
            errors.append('%s %s must be a dict with interface and prefix' % (where, _show(entry)))
            continue
        iface, prefix = entry.get('interface'), entry.get('prefix')
        if not _ifname(iface):
            errors.append("%s.interface %s is not an interface name (1 to 15 bytes, no '/', ':' or whitespace)"
                          % (where, _show(iface)))
        net = _network(prefix)
        if net is None:
            errors.append('%s.prefix %s is not an IPv6 prefix with its host bits zero (like 2001:db8:1::/64)'
                          % (where, _show(prefix)))
            continue
        if net.prefixlen != 64:
            errors.append('%s.prefix %s is a /%d; SLAAC (mode %s advertises it for autoconfiguration) needs a /64'
                          % (where, _show(prefix), net.prefixlen, mode))
        item = dict(interface=iface, prefix=net.compressed, network=str(net.network_address), prefixlen=net.prefixlen)
        address = entry.get('address')
        gw = _address(address) if address is not None else net.network_address + 1
        if gw is None or gw.version != 6 or gw not in net or gw == net.network_address:
            errors.append('%s.address %s is not an IPv6 host address inside %s' % (where, _show(address), net))
            gw = net.network_address + 1
        item['address'] = '%s/%d' % (gw.compressed, net.prefixlen)
        item['range'] = _check_range(entry.get('dhcpv6_range'), net, mode, where, errors)
        out.append(item)
    return out


def _check_range(value, net, mode, where, errors):
    if value is None:
        return None
    if mode != 'dhcpv6':
        errors.append('%s.dhcpv6_range %s needs ipv6_gateway_mode dhcpv6 (it is %s)' % (where, _show(value), _show(mode)))
        return None
    if not isinstance(value, dict):
        errors.append('%s.dhcpv6_range %s must be {start, end}' % (where, _show(value)))
        return None
    start, end = _address(value.get('start')), _address(value.get('end'))
    bad = [name for name, addr in (('start', start), ('end', end)) if addr is None or addr.version != 6 or addr not in net]
    if bad:
        errors.append('%s.dhcpv6_range %s: %s outside its prefix %s' % (where, _show(value), ' and '.join(bad), net))
        return None
    if start > end:
        errors.append('%s.dhcpv6_range %s: start is after end' % (where, _show(value)))
        return None
    return dict(start=start.compressed, end=end.compressed)


def _check_overlaps(items, uplink_net, errors):
    nets = [('ipv6_gateway_inside[%d].prefix' % i, ipaddress.ip_network(item['prefix'])) for i, item in enumerate(items)]
    if uplink_net is not None:
        nets.append(('ipv6_gateway_uplink.address', uplink_net))
    for i, (name_a, net_a) in enumerate(nets):
        for name_b, net_b in nets[i + 1:]:
            if net_a.overlaps(net_b):
                errors.append('%s %s overlaps %s %s' % (name_b, _show(str(net_b)), name_a, _show(str(net_a))))
    names = [item['interface'] for item in items]
    for name in sorted(set(n for n in names if names.count(n) > 1)):
        errors.append('ipv6_gateway_inside names interface %s more than once' % _show(name))


def _check_statics(statics, items, mode, errors):
    out = []
    if not statics:
        return out
    if mode != 'dhcpv6':
        errors.append('ipv6_gateway_dhcpv6_static %s needs ipv6_gateway_mode dhcpv6 (it is %s)' % (_show(statics), _show(mode)))
        return out
    nets = [ipaddress.ip_network(item['prefix']) for item in items]
    for index, entry in enumerate(statics):
        where = 'ipv6_gateway_dhcpv6_static[%d]' % index
        mac = str(entry.get('mac', '')).lower() if isinstance(entry, dict) else ''
        addr = _address(entry.get('address')) if isinstance(entry, dict) else None
        if not MAC_RE.match(mac):
            errors.append('%s.mac %s is not a MAC address (six hex octets like 02:00:00:00:00:01)'
                          % (where, _show(entry.get('mac') if isinstance(entry, dict) else entry)))
            continue
        if addr is None or addr.version != 6 or not any(addr in net for net in nets):
            errors.append('%s.address %s is not an IPv6 address inside an ipv6_gateway_inside prefix'
                          % (where, _show(entry.get('address'))))
            continue
        out.append(dict(mac=mac, address=addr.compressed))
    return out


def _check_uplink(uplink, errors):
    """The uplink normalised ({} when none); its address's network for the overlap check."""
    if not uplink:
        return {}, None
    if not isinstance(uplink, dict):
        errors.append('ipv6_gateway_uplink %s must be a dict' % _show(uplink))
        return {}, None
    kind = uplink.get('kind', 'native')
    out = dict(kind=kind, interface=uplink.get('interface'))
    if kind not in ('native', 'sit'):
        errors.append('ipv6_gateway_uplink.kind %s must be native or sit' % _show(kind))
    if not _ifname(out['interface']):
        errors.append("ipv6_gateway_uplink.interface %s is not an interface name (1 to 15 bytes, no '/', ':' or "
                      "whitespace)" % _show(out['interface']))
    net = None
    if uplink.get('address') is not None:
        try:
            iface = ipaddress.ip_interface(str(uplink['address']))
        except ValueError:
            iface = None
        if iface is None or iface.version != 6 or '/' not in str(uplink['address']):
            errors.append('ipv6_gateway_uplink.address %s is not an IPv6 address with its prefix length'
                          % _show(uplink['address']))
        else:
            out['address'] = iface.with_prefixlen
            net = iface.network
    gateway = uplink.get('gateway')
    if gateway is not None:
        addr = _address(gateway)
        if addr is None or addr.version != 6:
            errors.append('ipv6_gateway_uplink.gateway %s is not an IPv6 address' % _show(gateway))
        else:
            out['gateway'] = addr.compressed
    if kind == 'sit':
        for option in ('local', 'remote'):
            addr = _address(uplink.get(option))
            if addr is None or addr.version != 4:
                errors.append('ipv6_gateway_uplink.%s %s must be the IPv4 address of the tunnel end with kind sit'
                              % (option, _show(uplink.get(option))))
            else:
                out[option] = str(addr)
        ttl = uplink.get('ttl', 64)
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= 255:
            errors.append('ipv6_gateway_uplink.ttl %s must be a number from 1 to 255' % _show(ttl))
        out['ttl'] = ttl
    elif any(uplink.get(option) is not None for option in ('local', 'remote', 'ttl')):
        errors.append('ipv6_gateway_uplink %s: local, remote and ttl need kind sit' % _show(uplink))
    return out, net


def _check_ra(ra, errors):
    min_i, max_i, life = ra.get('min_interval'), ra.get('max_interval'), ra.get('router_lifetime')
    if not 4 <= max_i <= 1800:
        errors.append('ipv6_gateway_ra_max_interval %s must be from 4 to 1800 seconds' % _show(max_i))
    if not 3 <= min_i <= 0.75 * max_i:
        errors.append('ipv6_gateway_ra_min_interval %s must be from 3 seconds to 0.75 x ipv6_gateway_ra_max_interval (%s)'
                      % (_show(min_i), _show(max_i)))
    if life != 0 and not max_i <= life <= 9000:
        errors.append('ipv6_gateway_router_lifetime %s must be 0 (not a default router) or from '
                      'ipv6_gateway_ra_max_interval (%s) to 9000 seconds' % (_show(life), _show(max_i)))
    for server in ra.get('rdnss') or []:
        addr = _address(server)
        if addr is None or addr.version != 6:
            errors.append('ipv6_gateway_rdnss has %s, which is not an IPv6 address' % _show(server))
    for domain in ra.get('dnssl') or []:
        if not isinstance(domain, str) or not DOMAIN_RE.match(domain):
            errors.append('ipv6_gateway_dnssl has %s, which is not a domain name' % _show(domain))


def ipv6_gateway_plan(inside, mode, statics, uplink, ra):
    """Check and normalise the role's variables.

    ra: {min_interval, max_interval, router_lifetime, rdnss, dnssl}.
    Returns {errors, inside, statics, uplink}; errors name the variable and the value.
    """
    errors = []
    if mode not in MODES:
        errors.append('ipv6_gateway_mode %s must be one of %s' % (_show(mode), ', '.join(MODES)))
    items = _check_inside(inside, mode, errors)
    if not items and not errors:
        errors.append('ipv6_gateway_inside %s is empty; give at least one {interface, prefix}' % _show(inside))
    up, up_net = _check_uplink(uplink, errors)
    _check_overlaps(items, up_net, errors)
    if up.get('interface') and up['interface'] in [item['interface'] for item in items]:
        errors.append('ipv6_gateway_uplink.interface %s is also an inside interface' % _show(up['interface']))
    out_statics = _check_statics(statics, items, mode, errors)
    _check_ra(ra, errors)
    return dict(errors=errors, inside=items, statics=out_statics, uplink=up)


def ipv6_gateway_eui64(prefix, mac):
    """The SLAAC address (modified EUI-64, RFC 4291 appendix A) of a MAC in a /64."""
    net = ipaddress.ip_network(str(prefix), strict=False)
    octets = [int(x, 16) for x in str(mac).lower().split(':')]
    octets[0] ^= 0x02
    iid = octets[:3] + [0xff, 0xfe] + octets[3:]
    value = int(net.network_address) | int(''.join('%02x' % o for o in iid), 16)
    return ipaddress.IPv6Address(value).compressed


class FilterModule(object):
    """ipv6_gateway filters."""

    def filters(self):
        return {'ipv6_gateway_plan': ipv6_gateway_plan, 'ipv6_gateway_eui64': ipv6_gateway_eui64}
