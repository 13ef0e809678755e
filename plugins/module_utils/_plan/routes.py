# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routes: netlink messages <-> canonical dicts, validation and planning.

A canonical route is a plain dict (see ``ROUTE_FIELDS``) that diffs, return
values and comparisons share. The kernel keeps one route per address family,
table, destination and metric (IPv4 also per TOS, which this collection does
not manage): adding a second one with the same key fails with EEXIST whatever
its type or gateway, and NLM_F_REPLACE swaps such a route in place, type and
all, without a moment where the destination has no route. That key is the
identity used here; everything else is an attribute that is replaced in place.

Everything in this file except ``route_from_msg`` works on plain data so it
can be unit tested without a kernel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    check_range,
    parse_address,
    parse_prefix,
)

RTN_TYPES = {'unicast': 1, 'local': 2, 'broadcast': 3, 'anycast': 4, 'multicast': 5,
             'blackhole': 6, 'unreachable': 7, 'prohibit': 8, 'throw': 9, 'nat': 10}
RTN_NAMES = dict((v, k) for k, v in RTN_TYPES.items())
MANAGED_TYPES = ('unicast', 'blackhole', 'unreachable', 'prohibit')
SCOPES = {'global': 0, 'site': 200, 'link': 253, 'host': 254, 'nowhere': 255}
SCOPE_NAMES = dict((v, k) for k, v in SCOPES.items())
PROTO_NAMES = {0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 8: 'gated', 9: 'ra',
               10: 'mrt', 11: 'zebra', 12: 'bird', 13: 'dnrouted', 14: 'xorp', 15: 'ntk', 16: 'dhcp',
               42: 'babel', 186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp'}
RTNH_F_ONLINK = 0x4
RTM_F_CLONED = 0x200
RT_SCOPE_NOWHERE = 255
DEFAULT_METRIC = {4: 0, 6: 1024}   # what the kernel stores when no metric is given
METRIC_MAX = 4294967295
MAIN_TABLE = 254

ROUTE_FIELDS = ('family', 'dest', 'table', 'metric', 'type', 'scope', 'proto', 'gateway', 'dev',
                'src', 'onlink', 'nexthops')


def family_name(version):
    return 'ipv%d' % version


def family_version(name):
    return 6 if name in ('ipv6', 6, socket.AF_INET6) else 4


def _ip(text):
    return ipaddress.ip_address(text).compressed if text else None


def dest_text(version, address, prefixlen):
    if prefixlen == 0:
        return 'default'
    zero = '0.0.0.0' if version == 4 else '::'
    return '%s/%d' % (ipaddress.ip_address(address or zero).compressed, prefixlen)


def dest_network(route):
    """The destination of a canonical route as an ip_network."""
    version = family_version(route['family'])
    if route['dest'] == 'default':
        return ipaddress.ip_network('0.0.0.0/0' if version == 4 else '::/0')
    return ipaddress.ip_network(route['dest'])


# -- reading -----------------------------------------------------------------

def route_from_msg(msg, ifnames):
    """One RTM_NEWROUTE message (pyroute2 rtmsg) -> canonical dict, or None
    for what this collection never manages (cached clones, TOS routes)."""
    if msg['flags'] & RTM_F_CLONED or msg.get('tos'):
        return None
    version = 4 if msg['family'] == socket.AF_INET else 6
    rtype = RTN_NAMES.get(msg['type'], str(msg['type']))
    table = msg.get_attr('RTA_TABLE')
    if table is None:
        table = msg['table']
    metric = msg.get_attr('RTA_PRIORITY') or 0
    route = {
        'family': family_name(version),
        'dest': dest_text(version, msg.get_attr('RTA_DST'), msg['dst_len']),
        'table': table,
        'metric': metric,
        'type': rtype,
        'scope': SCOPE_NAMES.get(msg['scope'], str(msg['scope'])),
        'proto': PROTO_NAMES.get(msg['proto'], str(msg['proto'])),
        'gateway': _ip(msg.get_attr('RTA_GATEWAY')),
        'dev': None,
        'src': _ip(msg.get_attr('RTA_PREFSRC')),
        'onlink': bool(msg['flags'] & RTNH_F_ONLINK),
        'nexthops': None,
    }
    oif = msg.get_attr('RTA_OIF')
    if oif:
        route['dev'] = ifnames.get(oif, str(oif))
    hops = msg.get_attr('RTA_MULTIPATH')
    if hops:
        out = []
        for hop in hops:
            gateway = None
            for name, value in hop.get('attrs', []):
                if name == 'RTA_GATEWAY':
                    gateway = _ip(value)
            out.append({'gateway': gateway,
                        'dev': ifnames.get(hop.get('oif'), str(hop.get('oif'))) if hop.get('oif') else None,
                        'weight': hop.get('hops', 0) + 1,
                        'onlink': bool(hop.get('flags', 0) & RTNH_F_ONLINK)})
        route['onlink'] = route['onlink'] or all(h.pop('onlink') for h in out)
        for hop in out:
            hop.pop('onlink', None)
        route.update(_hops_canonical(out))
    return normalise_route(route)


def _hops_canonical(hops):
    """A single next hop is an ordinary route (the kernel stores it so)."""
    if len(hops) == 1:
        return {'gateway': hops[0]['gateway'], 'dev': hops[0]['dev'], 'nexthops': None}
    return {'gateway': None, 'dev': None, 'nexthops': sorted(hops, key=_hop_sort_key)}


def _hop_sort_key(hop):
    return (hop.get('gateway') or '', hop.get('dev') or '', hop.get('weight') or 0)


def normalise_route(route):
    """Canonical form of attributes the kernel reports inconsistently."""
    route = dict(route)
    if route['type'] != 'unicast':
        # IPv6 reject routes report 'lo' as device; neither family has a next hop.
        route['gateway'] = route['dev'] = route['nexthops'] = None
        route['onlink'] = False
    if route['family'] == 'ipv6':
        route['scope'] = 'global'  # IPv6 routes have no scope
    return route


# -- validation and the desired route -----------------------------------------

class Namespace(object):
    """What planning needs to know about a namespace: plain data only.

    links: {name: index}; addresses: [{'index', 'address': 'IP/LEN', 'family': 4|6}];
    routes: canonical route dicts of every table.
    """

    def __init__(self, links, addresses, routes, name=None):
        self.links = dict(links)
        self.ifnames = dict((v, k) for k, v in self.links.items())
        self.addresses = list(addresses)
        self.routes = list(routes)
        self.name = name

    def where(self):
        return "namespace '%s'" % self.name if self.name else 'this namespace'


def parse_dest(option, value, version=None):
    """'default', 'PREFIX/LEN' or a plain address (a host route) -> ip_network."""
    text = str(value).strip()
    if text.lower() == 'default':
        if version is None:
            return None
        return ipaddress.ip_network('0.0.0.0/0' if version == 4 else '::/0')
    return parse_prefix(option, text, version)


def detect_family(params):
    """The address family a route's options imply (4 or 6), checked for mixing."""
    if params.get('family'):
        return family_version(params['family'])
    dest = params.get('dest')
    if dest is not None:
        net = parse_dest('dest', dest)
        if net is not None:
            return net.version
    for option in ('gateway', 'src'):
        if params.get(option):
            return parse_address(option, params[option]).version
    for i, hop in enumerate(params.get('nexthops') or []):
        if hop.get('gateway'):
            return parse_address('nexthops[%d].gateway' % i, hop['gateway']).version
    return 4


def connected_networks(ns, version, tables):
    """[(ip_network, ifname)] of subnets directly reachable in the namespace:
    interface addresses and device routes (no gateway) in the given tables."""
    out = []
    for addr in ns.addresses:
        if addr['family'] != version:
            continue
        net = ipaddress.ip_interface(addr['address']).network
        out.append((net, ns.ifnames.get(addr['index'], str(addr['index']))))
    for route in ns.routes:
        if (family_version(route['family']) == version and route['table'] in tables
                and route['type'] == 'unicast' and route['gateway'] is None
                and route['nexthops'] is None and route['dev'] is not None):
            out.append((dest_network(route), route['dev']))
    return out


def resolve_gateway(option, gateway, dev, onlink, ns, table):
    """Check that GATEWAY can be a next hop; return the device it is reached through.

    Without onlink the gateway must lie in a subnet connected to the namespace
    (on DEV when given), as the kernel demands; a link-local IPv6 gateway
    needs DEV.
    """
    if onlink:
        return dev
    if gateway.version == 6 and gateway.is_link_local:
        if dev is None:
            raise ValidationError(option, str(gateway), 'is a link-local address; give the device (dev) it is reached on')
        return dev
    best = None
    for net, ifname in connected_networks(ns, gateway.version, (MAIN_TABLE, table)):
        if gateway in net and (dev is None or ifname == dev):
            if best is None or net.prefixlen > best[0].prefixlen:
                best = (net, ifname)
    if best is None:
        nets = sorted(set('%s on %s' % (n, i) for n, i in connected_networks(ns, gateway.version, (MAIN_TABLE, table))))
        where = (' on %s' % dev) if dev else ''
        raise ValidationError(
            option, str(gateway),
            'is not on any subnet connected%s in %s (connected: %s); a gateway must be directly reachable, '
            'or set onlink: true if it is reachable on the link anyway'
            % (where, ns.where(), ', '.join(nets) or 'none'))
    return best[1]


def _check_dev(option, dev, ns):
    check_ifname(option, dev)
    if dev not in ns.links:
        raise ValidationError(option, dev, 'is not an interface in %s (interfaces: %s)'
                              % (ns.where(), ', '.join(sorted(ns.links)) or 'none'))
    return dev


def _local_addresses(ns, version):
    return set(ipaddress.ip_interface(a['address']).ip for a in ns.addresses if a['family'] == version)


def desired_route(params, table, ns):
    """Validate the module options against the namespace; return
    (desired canonical route, resolved devices for the 'after' prediction).

    ``table`` is already resolved to a number. Raises ValidationError before
    anything is touched.
    """
    version = detect_family(params)
    present = params.get('state', 'present') == 'present'
    dest = parse_dest('dest', params['dest'], version)
    rtype = params.get('type') or 'unicast'
    metric = check_range('metric', params.get('metric'), 0, METRIC_MAX)
    if metric is None or (version == 6 and metric == 0):
        metric = DEFAULT_METRIC[version]   # IPv6 metric 0 is stored as 1024 by the kernel
    gateway = parse_address('gateway', params['gateway'], version) if params.get('gateway') else None
    src = parse_address('src', params['src'], version) if params.get('src') else None
    dev = params.get('dev')
    onlink = bool(params.get('onlink'))
    nexthops = params.get('nexthops') or []
    scope = params.get('scope')

    route = {
        'family': family_name(version), 'dest': dest_text(version, dest.network_address, dest.prefixlen),
        'table': table, 'metric': metric, 'type': rtype, 'scope': None, 'proto': 'static',
        'gateway': str(gateway) if gateway else None, 'dev': dev, 'src': str(src) if src else None,
        'onlink': onlink, 'nexthops': None,
    }
    if not present:
        if dev is not None:
            check_ifname('dev', dev)
        return route, {}

    if nexthops and gateway is not None:
        raise ValidationError('nexthops', nexthops, "cannot be combined with 'gateway' (%s); list every "
                              "next hop in nexthops instead" % gateway)
    if nexthops and dev is not None:
        raise ValidationError('nexthops', nexthops, "cannot be combined with 'dev' (%s); give each next hop "
                              "its own dev" % dev)
    if rtype != 'unicast':
        for option in ('gateway', 'dev', 'nexthops', 'src'):
            if params.get(option):
                raise ValidationError(option, params[option], 'cannot be used with type %s (such a route has '
                                      'no next hop)' % rtype)
        if onlink:
            raise ValidationError('onlink', onlink, 'cannot be used with type %s' % rtype)
    elif gateway is None and dev is None and not nexthops:
        raise ValidationError('dest', params['dest'], 'needs a next hop: give gateway, dev or nexthops '
                              '(or a type such as blackhole)')
    if version == 6 and scope not in (None, 'global'):
        raise ValidationError('scope', scope, 'is not supported for IPv6 routes (they have no scope; use global or omit it)')
    if onlink and not nexthops and dev is None:
        raise ValidationError('onlink', onlink, 'needs dev: the kernel must know which link the gateway is on')
    if dev is not None:
        _check_dev('dev', dev, ns)
    if src is not None and src not in _local_addresses(ns, version):
        raise ValidationError('src', str(src), 'is not an address of any interface in %s' % ns.where())

    resolved = {}
    if gateway is not None:
        resolved['dev'] = resolve_gateway('gateway', gateway, dev, onlink, ns, table)
    hops = []
    for i, hop in enumerate(nexthops):
        name = 'nexthops[%d]' % i
        hop_gw = parse_address(name + '.gateway', hop['gateway'], version) if hop.get('gateway') else None
        hop_dev = hop.get('dev')
        if hop_gw is None and hop_dev is None:
            raise ValidationError(name, hop, 'needs a gateway or a dev')
        if hop_dev is not None:
            _check_dev(name + '.dev', hop_dev, ns)
        if onlink and hop_dev is None:
            raise ValidationError(name, hop, 'needs dev when onlink is set')
        weight = check_range(name + '.weight', hop.get('weight'), 1, 256)
        resolved_dev = hop_dev
        if hop_gw is not None:
            resolved_dev = resolve_gateway(name + '.gateway', hop_gw, hop_dev, onlink, ns, table)
        hops.append({'gateway': str(hop_gw) if hop_gw else None, 'dev': hop_dev, 'weight': weight or 1,
                     '_resolved_dev': resolved_dev})
    if hops:
        seen = set()
        for i, hop in enumerate(hops):
            key = (hop['gateway'], hop['_resolved_dev'])
            if key in seen:
                raise ValidationError('nexthops[%d]' % i, nexthops[i], 'repeats an earlier next hop')
            seen.add(key)
        resolved['hops'] = dict(((h['gateway'], h['dev']), h.pop('_resolved_dev')) for h in hops)
        route.update(_hops_canonical(hops))
        if route['nexthops'] is None:   # one hop: an ordinary route
            resolved['dev'] = resolved['hops'][(route['gateway'], route['dev'])]
    if scope is None:
        scope = 'link' if (rtype == 'unicast' and route['gateway'] is None and route['nexthops'] is None) else 'global'
    route['scope'] = scope
    return normalise_route(route), resolved


# -- comparison and planning --------------------------------------------------

def route_key(route):
    return (route['family'], route['table'], route['dest'], route['metric'])


def _hops_match(current, desired):
    if (current is None) != (desired is None):
        return False
    if current is None:
        return True
    if len(current) != len(desired):
        return False
    remaining = list(current)
    for want in desired:
        for have in remaining:
            if (have['gateway'] == want['gateway'] and have['weight'] == want['weight']
                    and (want['dev'] is None or have['dev'] == want['dev'])):
                remaining.remove(have)
                break
        else:
            return False
    return True


def route_matches(current, desired):
    """True when CURRENT already is the DESIRED route (same key assumed).

    dev and src left out of the desired route are whatever the kernel chose.
    """
    for field in ('type', 'scope', 'onlink', 'gateway'):
        if current[field] != desired[field]:
            return False
    for field in ('dev', 'src'):
        if desired[field] is not None and current[field] != desired[field]:
            return False
    return _hops_match(current['nexthops'], desired['nexthops'])


def predicted(desired, resolved):
    """The route as the kernel will report it after add/replace."""
    after = dict(desired)
    if after['dev'] is None and resolved.get('dev'):
        after['dev'] = resolved['dev']
    if after['nexthops']:
        after['nexthops'] = sorted(
            [dict(h, dev=h['dev'] or resolved.get('hops', {}).get((h['gateway'], h['dev']))) for h in after['nexthops']],
            key=_hop_sort_key)
    return after


def same_destination(routes, family, table, dest):
    return [r for r in routes if r['family'] == family and r['table'] == table and r['dest'] == dest]


def plan_present(desired, resolved, routes, exclusive=False):
    """-> (before, after, ops) where ops are ('add'|'replace'|'delete', route).

    before/after describe the managed route (empty dict: no such route);
    with exclusive, 'other_routes' lists the other routes to the same
    destination in that table (other metrics), which are removed except the
    kernel's own (proto kernel).
    """
    peers = same_destination(routes, desired['family'], desired['table'], desired['dest'])
    candidates = [r for r in peers if route_key(r) == route_key(desired)]
    others = [r for r in peers if route_key(r) != route_key(desired)]
    ops = []
    matching = [r for r in candidates if route_matches(r, desired)]
    if matching:
        current = matching[0]
        after = current
        extra = [r for r in candidates if r is not current]
    elif candidates:
        current = candidates[0]
        after = predicted(desired, resolved)
        ops.append(('replace', after))
        extra = candidates[1:]
    else:
        current = None
        after = predicted(desired, resolved)
        ops.append(('add', after))
        extra = []
    # Duplicates with the same key (only `ip route append` makes them) go.
    ops.extend(('delete', r) for r in extra)
    before = dict(current) if current else {}
    after = dict(after)
    if exclusive:
        kept = [r for r in others if r['proto'] == 'kernel']
        ops.extend(('delete', r) for r in others if r['proto'] != 'kernel')
        before['other_routes'] = sorted(others, key=lambda r: r['metric'])
        after['other_routes'] = sorted(kept, key=lambda r: r['metric'])
    return before, after, ops


def plan_absent(desired, params, routes):
    """Routes to delete: same family, table and destination, narrowed by the
    metric, type, gateway and dev options when they are given."""
    matches = []
    for route in same_destination(routes, desired['family'], desired['table'], desired['dest']):
        if params.get('metric') is not None and route['metric'] != desired['metric']:
            continue
        if params.get('type') and route['type'] != params['type']:
            continue
        if desired['gateway'] is not None:
            gateways = [route['gateway']] + [h['gateway'] for h in route['nexthops'] or []]
            if desired['gateway'] not in gateways:
                continue
        if desired['dev'] is not None:
            devs = [route['dev']] + [h['dev'] for h in route['nexthops'] or []]
            if desired['dev'] not in devs:
                continue
        matches.append(route)
    matches.sort(key=lambda r: r['metric'])
    before = dict(matches[0]) if matches else {}
    if len(matches) > 1:
        before['other_routes'] = matches[1:]
    return before, {}, [('delete', r) for r in matches]


# -- a list of routes in one table (the routes option) -----------------------------
#
# The list form validates every entry as the single-route options would be
# validated (errors name routes[N].OPTION), then plans all of them against one
# reading of the namespace. With purge, the other routes of the table in the
# purged address families go too, except the kernel's own (proto kernel)
# unless purge_kernel_routes is set. Routes of other tables are never touched.

ENTRY_OPTIONS = ('dest', 'gateway', 'dev', 'metric', 'scope', 'src', 'type', 'onlink', 'nexthops', 'family')


def _in_entry(index, exc):
    """A ValidationError of one entry, renamed to its option path routes[N].OPTION."""
    return ValidationError('routes[%d].%s' % (index, exc.option), exc.value, exc.reason)


def check_list_options(params):
    """The option combinations of the list form that argument_spec cannot say."""
    purge = bool(params.get('purge'))
    if params.get('purge_kernel_routes') and not purge:
        raise ValidationError('purge_kernel_routes', params['purge_kernel_routes'],
                              'needs purge: true (it only widens what purge removes)')
    if purge and params.get('state', 'present') == 'absent':
        raise ValidationError('purge', params['purge'], 'is only used with state=present; state=absent removes '
                              'exactly the listed routes')
    if purge and not params.get('routes') and not params.get('family'):
        raise ValidationError('routes', params.get('routes'), 'is empty; with purge, set family to say which '
                              'address family of the table to empty')


def entry_params(params, index):
    """routes[index] as the options of a single route (table, state from the module level).

    The module-level family is the default family of every entry; an entry
    that names another one is an error.
    """
    entry = params['routes'][index] or {}
    out = dict((name, entry.get(name)) for name in ENTRY_OPTIONS)
    out['onlink'] = bool(out['onlink'])
    common = params.get('family')
    if common:
        if out['family'] and out['family'] != common:
            raise ValidationError('routes[%d].family' % index, out['family'],
                                  'differs from the module-level family %s, which is then the family of '
                                  'every element' % common)
        out['family'] = common
    own = entry.get('table')
    out.update(table=params.get('table') if own is None else own, state=params.get('state') or 'present',
               exclusive=False)
    return out


def entry_table(params, index, table):
    """The resolved table of routes[index]: its own (resolved by the caller) or TABLE, the module's."""
    own = (params['routes'][index] or {}).get('table')
    return table if own is None else own


def list_tables(params, table):
    """The tables a list call concerns, sorted: the entries' own tables, and TABLE when an entry has none
    or with purge (which may only empty TABLE: an entry in another table is an error)."""
    tables = set()
    for index in range(len(params.get('routes') or [])):
        own = entry_table(params, index, table)
        if params.get('purge') and own != table:
            raise ValidationError('routes[%d].table' % index, params['routes'][index].get('table'),
                                  'differs from the module-level table %s; with purge every listed route is in '
                                  'that table (purge empties one table)' % table)
        tables.add(own)
    if params.get('purge') or not tables:
        tables.add(table)
    return sorted(tables)


def list_versions(params):
    """-> (versions of the entries in list order, versions to purge); pure and validated."""
    check_list_options(params)
    versions = []
    for index in range(len(params.get('routes') or [])):
        entry = entry_params(params, index)
        try:
            versions.append(detect_family(entry))
        except ValidationError as exc:
            raise _in_entry(index, exc)
    purge = set()
    if params.get('purge'):
        purge = set([family_version(params['family'])]) if params.get('family') else set(versions)
    return versions, purge


def desired_routes(params, table, ns):
    """Validate every entry against the namespace -> [(desired, resolved, entry params)].

    Nothing is planned before every entry has passed; with state=present two
    entries with the same kernel key (family, destination, metric) are an error.
    """
    items = []
    seen = {}
    for index in range(len(params.get('routes') or [])):
        entry = entry_params(params, index)
        try:
            desired, resolved = desired_route(entry, entry_table(params, index, table), ns)
        except ValidationError as exc:
            raise _in_entry(index, exc)
        if entry['state'] == 'present':
            key = route_key(desired)
            if key in seen:
                raise ValidationError('routes[%d].dest' % index, entry['dest'],
                                      'repeats routes[%d] (same family, destination and metric %s); the kernel '
                                      'keeps one route per family, table, destination and metric'
                                      % (seen[key], desired['metric']))
            seen[key] = index
        items.append((desired, resolved, entry))
    return items


def route_sort_key(route):
    """A stable order for lists of routes: family, destination, metric, type."""
    net = dest_network(route)
    return (route['family'], int(net.network_address), net.prefixlen, route['metric'], route['type'],
            describe(route))


def _by_table(route):
    """route_sort_key within each table, the tables in order (one table: the same order)."""
    return (route['table'],) + route_sort_key(route)


def table_routes(routes, table, versions):
    """The routes of one table in the given address families, sorted."""
    return sorted([r for r in routes if r['table'] == table and family_version(r['family']) in versions],
                  key=route_sort_key)


def _contains(routes, route):
    return any(r is route for r in routes)


def _check_purge_keeps_gateways(items, table, ns, purged):
    """A listed gateway must not depend on a device route that purge removes.

    The kernel would keep the route at first, but the next run (and the
    kernel after a link flap) would find its gateway unreachable.
    """
    if not purged:
        return
    remaining = Namespace(ns.links, ns.addresses, [r for r in ns.routes if not _contains(purged, r)], ns.name)
    for index, (dummy, dummy2, entry) in enumerate(items):
        if entry['onlink'] or not (entry.get('gateway') or entry.get('nexthops')):
            continue
        try:
            desired_route(entry, table, remaining)
        except ValidationError as exc:
            try:
                gateway = ipaddress.ip_address(str(exc.value))
            except ValueError:
                raise _in_entry(index, exc)
            culprits = [describe(r) for r in purged
                        if r['gateway'] is None and r['nexthops'] is None and r['dev'] is not None
                        and family_version(r['family']) == gateway.version and gateway in dest_network(r)]
            raise ValidationError('routes[%d].%s' % (index, exc.option), exc.value,
                                  'is reachable only through %s, which purge would remove; list that route in '
                                  'routes too, or set onlink' % (' and '.join(culprits) or 'a route of the table'))


def plan_route_list(params, table, ns):
    """Plan the list form -> dict(before, after, ops, removed, listed).

    before/after: the routes of TABLE in the address families concerned (the
    entries' and the purged ones), sorted; ops: [(op, route, was)] in the
    order they run (adds and replacements in list order, then deletions);
    removed: the routes deleted; listed: the entries' routes as they will be
    (state=present; [] for absent). Raises ValidationError before planning
    anything when an entry is bad.
    """
    versions, purge = list_versions(params)
    tables = list_tables(params, table)
    items = desired_routes(params, table, ns)
    before = sorted([r for t in tables for r in table_routes(ns.routes, t, set(versions) | purge)],
                    key=_by_table)
    ops = []
    gone = []
    added = []
    listed = []
    if params.get('state', 'present') == 'present':
        keys = set(route_key(desired) for desired, dummy, dummy2 in items)
        for desired, resolved, entry in items:
            current, after, route_ops = plan_present(desired, resolved, ns.routes)
            listed.append(after)
            for op, route in route_ops:
                if op == 'delete':      # a duplicate under the same key
                    gone.append(route)
                    ops.append((op, route, None))
                    continue
                if current:             # a replacement swaps the route the kernel has under this key
                    gone.append([r for r in ns.routes if r == current and not _contains(gone, r)][0])
                added.append(route)
                ops.append((op, route, current or None))
        purged = []
        if purge:
            purged = [r for r in ns.routes
                      if r['table'] == table and family_version(r['family']) in purge
                      and route_key(r) not in keys
                      and (r['proto'] != 'kernel' or params.get('purge_kernel_routes'))]
            purged.sort(key=route_sort_key)
            _check_purge_keeps_gateways(items, table, ns, purged)
        gone.extend(purged)
        ops.extend(('delete', r, None) for r in purged)
    else:
        for desired, dummy, entry in items:
            dummy2, dummy3, route_ops = plan_absent(desired, entry, ns.routes)
            for dummy4, route in route_ops:
                if not _contains(gone, route):
                    gone.append(route)
                    ops.append(('delete', route, None))
    after = sorted([r for r in before if not _contains(gone, r)] + added, key=_by_table)
    removed = [route for op, route, dummy in ops if op == 'delete']
    return {'before': [dict(r) for r in before], 'after': [dict(r) for r in after], 'ops': ops,
            'removed': [dict(r) for r in removed], 'listed': [dict(r) for r in listed]}


# -- describing and requesting ------------------------------------------------

def describe(route):
    """A one-line `ip route`-like description."""
    parts = []
    if route['type'] != 'unicast':
        parts.append(route['type'])
    parts.append(route['dest'] if route['family'] == 'ipv4' or route['dest'] != 'default' else 'default (IPv6)')
    if route['gateway']:
        parts.append('via %s' % route['gateway'])
    if route['dev']:
        parts.append('dev %s' % route['dev'])
    for hop in route['nexthops'] or []:
        parts.append('nexthop via %s dev %s weight %s' % (hop['gateway'] or '-', hop['dev'] or '-', hop['weight']))
    if route['scope'] not in ('global', None) and route['family'] == 'ipv4':
        parts.append('scope %s' % route['scope'])
    if route['src']:
        parts.append('src %s' % route['src'])
    if route['onlink']:
        parts.append('onlink')
    parts.append('metric %s' % route['metric'])
    parts.append('table %s' % route['table'])
    return ' '.join(parts)


def describe_op(op, route, was=None):
    """The `actions` line of one operation: 'add route ...', 'replace route ... (was: ...)'."""
    text = '%s route %s' % (op, describe(route))
    if op == 'replace' and was:
        text += ' (was: %s)' % describe(was)
    return text


def _rtn_type(name):
    """The RTN_* number of a type name (route_from_msg writes unknown numbers as digits)."""
    if name in RTN_TYPES:
        return RTN_TYPES[name]
    return int(name)


def _base_request(route):
    version = family_version(route['family'])
    net = dest_network(route)
    kwargs = dict(family=socket.AF_INET if version == 4 else socket.AF_INET6,
                  table=route['table'], priority=route['metric'], dst_len=net.prefixlen,
                  type=_rtn_type(route['type']))
    if net.prefixlen:
        kwargs['dst'] = str(net.network_address)
    return kwargs


def route_request(route, links):
    """kwargs for ipr.route('add'|'replace', ...) from a canonical route."""
    kwargs = _base_request(route)
    if route['family'] == 'ipv4':
        kwargs['scope'] = SCOPES[route['scope']]
    if route['type'] != 'unicast':
        return kwargs
    if route['gateway']:
        kwargs['gateway'] = route['gateway']
    if route['dev']:
        kwargs['oif'] = links[route['dev']]
    if route['src']:
        kwargs['prefsrc'] = route['src']
    if route['nexthops']:
        hops = []
        for hop in route['nexthops']:
            item = {'hops': hop['weight'] - 1}
            if hop['gateway']:
                item['gateway'] = hop['gateway']
            if hop['dev']:
                item['oif'] = links[hop['dev']]
            if route['onlink']:
                item['flags'] = RTNH_F_ONLINK
            hops.append(item)
        kwargs['multipath'] = hops
    elif route['onlink']:
        kwargs['flags'] = RTNH_F_ONLINK
    return kwargs


def delete_request(route, links):
    """kwargs for ipr.route('del', ...) that match exactly this route."""
    kwargs = _base_request(route)
    if route['family'] == 'ipv4':
        kwargs['scope'] = RT_SCOPE_NOWHERE  # "any scope", as iproute2 sends
    if route['type'] == 'unicast' and not route['nexthops']:
        if route['gateway']:
            kwargs['gateway'] = route['gateway']
        if route['dev'] in links:
            kwargs['oif'] = links[route['dev']]
    return kwargs
