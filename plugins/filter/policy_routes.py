# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.policy_routes role: which policy-routing
table needs which default route.

Pure logic over the rules and routes that linuxnet.plumbing.net_info returns;
unit-tested in tests/unit/plugins/filter/test_policy_routes.py. (Roles inside a
collection cannot ship their own filter_plugins, hence a collection filter.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


class FilterModule(object):
    """policy_routes role filters."""

    def filters(self):
        return {'policy_routes_plan': policy_routes_plan, 'policy_routes_describe': policy_routes_describe}
