# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which policy-routing table needs which default route, and what the new
routes would do to the management connection.

Pure logic over rules and routes in net_info's shape (no I/O), shared by the
policy_routes role (through the filters of plugins/filter/policy_routes.py)
and the interface_watch watcher (copied beside it on the managed host, where
it runs outside Ansible: standard library imports only).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

# local, main, default: the kernel's own tables are never touched.
RESERVED_TABLES = frozenset([253, 254, 255])
MAIN_TABLE = 254
FAMILIES = ('ipv4', 'ipv6')


def _route_devs(route):
    """The interfaces a route sends through (its dev, or its next hops')."""
    devs = []
    if route.get('dev'):
        devs.append(route['dev'])
    for hop in route.get('nexthops') or []:
        if hop.get('dev') and hop['dev'] not in devs:
            devs.append(hop['dev'])
    return devs


def _route_gateways(route, dev):
    """Gateways of a route (or of its next hops) that go out through dev."""
    found = []
    if route.get('gateway') and route.get('dev') in (dev, None):
        found.append(route['gateway'])
    for hop in route.get('nexthops') or []:
        if hop.get('gateway') and hop.get('dev') in (dev, None):
            found.append(hop['gateway'])
    return found


def _host_prefix(family):
    return '/32' if family == 'ipv4' else '/128'


def _unique(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _table_gateway(family, table_routes, dev):
    """The gateway a table's own routes name on dev: a route's gateway, or else
    the only host route (scope link, no gateway) on dev -- the seed's
    '192.0.2.1 dev eth3 scope link'. None when the table does not say."""
    gateways = _unique(gw for r in table_routes for gw in _route_gateways(r, dev))
    if len(gateways) == 1:
        return gateways[0], 'a route of the table'
    if len(gateways) > 1:
        return None, 'routes of the table name several gateways on %s (%s)' % (dev, ', '.join(gateways))
    hosts = _unique(r['dest'][:-len(_host_prefix(family))] for r in table_routes
                    if r.get('dev') == dev and not r.get('gateway') and not r.get('nexthops')
                    and r.get('type', 'unicast') == 'unicast'
                    and str(r.get('dest', '')).endswith(_host_prefix(family)))
    if len(hosts) == 1:
        return hosts[0], 'the host route of the table'
    return None, None


def _main_gateway(family, routes, dev):
    """The gateway of the main table's default route on dev (lowest metric)."""
    candidates = []
    for route in routes:
        if route.get('family') != family or route.get('table') != MAIN_TABLE or route.get('dest') != 'default':
            continue
        for gateway in _route_gateways(route, dev):
            if dev in _route_devs(route):
                candidates.append((route.get('metric') or 0, gateway))
    if not candidates:
        return None
    return sorted(candidates, key=lambda c: c[0])[0][1]


def policy_routes_plan(rules, routes):
    """For every table looked up by a rule (other than local/main/default),
    per address family: does it have a default route, and if not, which one
    to add.

    Returns a dict:
      tables:     every (family, table) looked up, sorted, each a dict with
                  family, table, rules (priorities), status ('ok', 'fix',
                  'unresolved'), and dev/gateway/source for 'fix' or reason for
                  'unresolved'
      fixes:      the 'fix' entries (family, table, dev, gateway, source)
      unresolved: the 'unresolved' entries (family, table, reason)
    """
    rules = rules or []
    routes = routes or []
    looked_up = {}
    for rule in rules:
        table = rule.get('table')
        family = rule.get('family')
        if rule.get('action', 'lookup') != 'lookup' or table is None or family not in FAMILIES:
            continue
        table = int(table)
        if table in RESERVED_TABLES or table == 0:
            continue
        looked_up.setdefault((family, table), []).append(rule.get('priority'))

    tables = []
    for (family, table) in sorted(looked_up, key=lambda k: (FAMILIES.index(k[0]), k[1])):
        entry = dict(family=family, table=table, rules=sorted(p for p in looked_up[(family, table)] if p is not None))
        table_routes = [r for r in routes if r.get('family') == family and r.get('table') == table]
        defaults = [r for r in table_routes if r.get('dest') == 'default']
        if defaults:
            entry.update(status='ok', default=defaults[0])
            tables.append(entry)
            continue
        devs = _unique(dev for r in table_routes for dev in _route_devs(r))
        if not devs:
            entry.update(status='unresolved', reason='table %s has no %s route through an interface, so its interface '
                         'cannot be determined' % (table, family))
            tables.append(entry)
            continue
        if len(devs) > 1:
            entry.update(status='unresolved', reason='table %s uses several interfaces (%s); not guessing which one '
                         'the default route should use' % (table, ', '.join(devs)))
            tables.append(entry)
            continue
        dev = devs[0]
        gateway, source = _table_gateway(family, table_routes, dev)
        if gateway is None and source is not None:
            entry.update(status='unresolved', dev=dev, reason='table %s: %s' % (table, source))
            tables.append(entry)
            continue
        if gateway is None:
            gateway = _main_gateway(family, routes, dev)
            source = 'the main table default route on %s' % dev
        if gateway is None:
            entry.update(status='unresolved', dev=dev, reason='table %s uses %s, but neither the table nor the main '
                         'table names a gateway on %s' % (table, dev, dev))
            tables.append(entry)
            continue
        entry.update(status='fix', dev=dev, gateway=gateway, source=source)
        tables.append(entry)

    fixes = [dict(family=t['family'], table=t['table'], dev=t['dev'], gateway=t['gateway'], source=t['source'])
             for t in tables if t['status'] == 'fix']
    unresolved = [dict(family=t['family'], table=t['table'], reason=t['reason'])
                  for t in tables if t['status'] == 'unresolved']
    return dict(tables=tables, fixes=fixes, unresolved=unresolved)


def policy_routes_describe(fix):
    """One line for a planned or added default route (fleet summary)."""
    return '%s table %s: default via %s dev %s' % (fix['family'], fix['table'], fix['gateway'], fix['dev'])


# --------------------------------------------------------------- management path
# Does a planned default route move the management connection? The kernel
# can only be asked about the routes it has, so the rule walk is simulated
# for the connection's packets: locally generated (iif lo, no oif), source
# the host's address of the connection, destination the controller, mark 0.
# A selector the simulation does not model (uid range, ports, protocol, tos)
# is assumed to match, so the answer errs towards "moved" (a refusal).

def _address(text):
    return ipaddress.ip_address(str(text).split('/', 1)[0])


def _network(family, dest):
    if dest == 'default':
        return ipaddress.ip_network('0.0.0.0/0' if family == 'ipv4' else '::/0')
    return ipaddress.ip_network(dest, strict=False)


def _fwmark_matches_zero(text):
    mark, dummy, mask = str(text).partition('/')
    mark = int(mark, 0)
    mask = int(mask, 0) if mask else 0xFFFFFFFF
    return (0 & mask) == mark


def _rule_matches(rule, dst, src):
    other = rule.get('other') or {}
    if other.get('l3mdev'):
        return False  # a VRF's lookup: the management socket is not in one
    hit = True
    if rule.get('src'):
        hit = src is not None and src in ipaddress.ip_network(rule['src'], strict=False)
    if hit and rule.get('dst'):
        hit = dst in ipaddress.ip_network(rule['dst'], strict=False)
    if hit and rule.get('iif'):
        hit = rule['iif'] == 'lo'
    if hit and rule.get('oif'):
        hit = False  # only sockets bound to a device carry an oif
    if hit and rule.get('fwmark'):
        hit = _fwmark_matches_zero(rule['fwmark'])
    return not hit if other.get('not') else hit


def _table_lookup(family, routes, table, dst, suppress):
    """The route of one table the kernel would pick for dst (longest prefix,
    then lowest metric), or None."""
    best = None
    for route in routes:
        if route.get('family') != family or route.get('table') != table:
            continue
        net = _network(family, route.get('dest'))
        if dst not in net or (suppress is not None and net.prefixlen <= suppress):
            continue
        key = (-net.prefixlen, route.get('metric') or 0)
        if best is None or key < best[0]:
            best = (key, route)
    return best[1] if best else None


def _walk(family, rules, routes, dst, src):
    """(rule priority, route) that decides the packet, or (None, None)."""
    for rule in sorted((r for r in rules if r.get('family') == family), key=lambda r: r.get('priority') or 0):
        if not _rule_matches(rule, dst, src):
            continue
        action = rule.get('action', 'lookup')
        if action in ('blackhole', 'unreachable', 'prohibit'):
            return rule.get('priority'), dict(type=action, dev=None, gateway=None, table=None)
        if action != 'lookup' or rule.get('table') is None:
            continue  # nop, goto: not modelled, the walk goes on
        suppress = (rule.get('other') or {}).get('suppress_prefixlen')
        route = _table_lookup(family, routes, int(rule['table']), dst, suppress)
        if route is None or route.get('type') == 'throw':
            continue
        return rule.get('priority'), route
    return None, None


def _hop(route):
    if route is None:
        return None
    hops = route.get('nexthops') or [dict(dev=route.get('dev'), gateway=route.get('gateway'))]
    return dict(type=route.get('type') or 'unicast', table=route.get('table'),
                hops=sorted('%s dev %s' % (h.get('gateway') or 'direct', h.get('dev')) for h in hops))


def _describe_path(priority, route):
    if route is None:
        return 'no route'
    hop = _hop(route)
    where = ' or '.join(hop['hops']) if hop['type'] == 'unicast' else hop['type']
    return '%s (table %s, rule %s)' % (where, hop['table'], priority)


def _source_for(family, route, addresses):
    """The address the kernel would pick for an unbound socket on route."""
    if route is None:
        return None
    if route.get('src'):
        return _address(route['src'])
    devs = _route_devs(route)
    for entry in addresses or []:
        if entry.get('family') == family and entry.get('dev') in devs and entry.get('scope', 'global') == 'global':
            return _address(entry['address'])
    return None


def policy_routes_management(fixes, rules, routes, addresses, address, source=''):
    """What the planned default routes (fixes) do to the management connection
    from `address` (the controller) to `source` (this host's address of the
    connection; found from the current route when empty).

    Returns dict(address, source, before, after (path descriptions), moved
    (bool), by (the fixes that take the connection over), note).
    """
    result = dict(address=address, source=source or None, before=None, after=None, moved=False, by=[], note='')
    if not address:
        return result
    dst = _address(address)
    family = 'ipv%d' % dst.version
    relevant = [f for f in fixes or [] if f.get('family') == family]
    src = _address(source) if source else None
    priority, before = _walk(family, rules or [], routes or [], dst, src)
    if src is None:
        src = _source_for(family, before, addresses)
        priority, before = _walk(family, rules or [], routes or [], dst, src)
        result['source'] = str(src) if src is not None else None
    result['before'] = _describe_path(priority, before)
    added = [dict(family=family, table=int(f['table']), dest='default', gateway=f['gateway'], dev=f['dev'],
                  metric=0 if family == 'ipv4' else 1024, type='unicast') for f in relevant]
    after_priority, after = _walk(family, rules or [], list(routes or []) + added, dst, src)
    result['after'] = _describe_path(after_priority, after)
    if before is None:
        result['note'] = ('no route to the management address %s was found in the rules and tables; '
                          'cannot tell whether a new default route would take it over' % address)
        result['moved'] = bool(relevant)
    else:
        result['moved'] = _hop(before)['hops'] != _hop(after)['hops'] or _hop(before)['type'] != _hop(after)['type']
    if result['moved'] and after is not None and after.get('dest') == 'default' and after in added:
        result['by'] = [f for f in relevant if int(f['table']) == after['table']]
    elif result['moved']:
        result['by'] = relevant
    return result


def policy_routes_by_table(fixes):
    """The fixes of policy_routes_plan() as one ip_route call per table: a
    list, by table, of dicts with table and routes (the ip_route `routes`
    elements: default via the gateway on the dev, per family)."""
    tables = {}
    for fix in fixes or []:
        tables.setdefault(fix['table'], []).append(
            dict(dest='default', family=fix['family'], gateway=fix['gateway'], dev=fix['dev']))
    return [dict(table=table, routes=tables[table]) for table in sorted(tables)]


def policy_routes_routes(fixes):
    """The fixes of policy_routes_plan() as the `routes` list of ONE ip_route
    call, each element in its own table, by table (a table's IPv4 and IPv6
    routes together, in the plan's order)."""
    return [dict(route, table=group['table']) for group in policy_routes_by_table(fixes) for route in group['routes']]


def _same_default(route, fix):
    return (route.get('dest') == 'default' and route.get('family') == fix['family']
            and str(route.get('table')) == str(fix['table'])
            and route.get('gateway') == fix['gateway'] and route.get('dev') == fix['dev'])


def policy_routes_fixed(fixes, result):
    """The fixes (in plan order) that the ip_route call of policy_routes_routes()
    added: none when it did not change anything, otherwise those whose route
    is in its diff's after and was not in its before (another run may have
    added one between the reading and the call)."""
    if not (result or {}).get('changed'):
        return []
    diff = result.get('diff') or {}
    before = (diff.get('before') or {}).get('routes') or []
    after = (diff.get('after') or {}).get('routes') or []
    return [fix for fix in fixes or []
            if any(_same_default(r, fix) for r in after) and not any(_same_default(r, fix) for r in before)]
