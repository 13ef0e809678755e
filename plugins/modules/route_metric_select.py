#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: route_metric_select
short_description: Pick an interface, read its default routes, plan a metric change safely and optionally make it
version_added: 0.1.0
description:
  - Helper of the P(linuxnet.plumbing.route_metric#role) role (collection roles cannot carry their own modules).
    Reads over netlink only and changes nothing, unless O(move) is set.
  - Picks the interface by O(interface), O(mac) or O(gateway) (the interface through which the gateway is
    directly reachable, found with a kernel route lookup), reads its default routes in the main table per family,
    and returns the plan (add the route with the new metric, then remove the old one).
  - With O(move), carries the plan out in the same call, over the same netlink socket - every default route with
    the new metric is added first, and only then is each route with the old metric removed, so the interface
    never lacks a default route. The new route keeps the old one's gateway, source address and C(onlink) flag.
    Every refusal (management path, conflicting metric, several gateways, O(management_unknown)) happens before
    the first change.
  - Refuses a plan that would move the route to O(management_address) (the address Ansible's connection comes
    from) off the interface and gateway that carry it now.
  - An address the kernel has no route to is a finding, not an error (the module only reads).
    A O(gateway) without any route to it matches no interface, like a gateway that is not on a directly connected
    subnet; O(missing) decides whether that fails (naming the option and the value) or is reported.
    A O(management_address) without any route to it is reported in RV(management) (C(note), with no C(before)
    and C(after)) and does not refuse the plan, since a path that does not exist cannot be moved.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  interface:
    description: Pick the interface by name.
    type: str
  mac:
    description: Pick the interface by MAC address.
    type: str
  gateway:
    description:
      - Pick the interface through which this gateway is directly reachable.
      - A gateway reachable only through another gateway, or not at all (no route), matches no interface
        (see O(missing)).
    type: str
  families:
    description: The address families to plan for.
    type: list
    elements: str
    choices: [ipv4, ipv6]
    default: [ipv4, ipv6]
  metric:
    description: The metric wanted, 0-4294967295.
    type: raw
    required: true
  management_address:
    description: The address the management connection comes from; empty when there is none.
    type: str
    default: ""
  missing:
    description: What to do when the selector matches no interface.
    type: str
    choices: [fail, report]
    default: fail
  move:
    description:
      - Carry the plan out (add the routes with the new metric, then remove those with the old metric), read the
        routes again and fail, naming the actions and the difference, unless the kernel ended up as planned.
      - Without it the module only reads and plans, and RV(changed) is always false.
    type: bool
    default: false
    version_added: 0.1.0
  connection:
    description:
      - The short name of the connection plugin Ansible reaches this host with (C(ssh), C(local), C(podman)...).
      - When given, the module works out the management connection itself, as the
        P(linuxnet.plumbing.management_connection#filter) filter does, so that no facts need gathering first.
        O(management_address) is then the role's raw C(route_metric_management_address) (V(none) for no
        management connection, empty to find it from C(SSH_CONNECTION) in the module's environment), and a
        management connection that cannot be found refuses any move as O(management_unknown) does.
      - The result carries what was found as RV(management_connection).
    type: str
    version_added: 1.0.0
  management_unknown:
    description:
      - Why the management connection could not be determined (for example C(no SSH_CONNECTION)); empty when it is
        known (O(management_address), or there is none to protect).
      - With O(move), a plan that moves any route is then refused, naming this reason, before any change; a plan
        with nothing to move succeeds.
    type: str
    default: ""
    version_added: 0.1.0
'''

EXAMPLES = r'''
- name: Plan metric 1000 for the interface of gateway 10.0.2.2
  linuxnet.plumbing.route_metric_select:
    gateway: 10.0.2.2
    metric: 1000

- name: Move the default routes of eth1 to metric 1000 now, unless that moves the connection from 192.0.2.7
  linuxnet.plumbing.route_metric_select:
    interface: eth1
    metric: 1000
    management_address: 192.0.2.7
    move: true
'''

RETURN = r'''
changed:
  description: Whether O(move) moved (or, in check mode, would move) a route. Always false without O(move).
  returned: always
  type: bool
  sample: true
actions:
  description: One line per route added or removed by O(move), in the order they are (or would be) made.
  returned: always
  type: list
  elements: str
  sample: ["add route default via 10.0.2.2 dev eth1 metric 1000 table 254",
           "delete route default via 10.0.2.2 dev eth1 metric 100 table 254"]
diff:
  description:
    - The interface's default routes per family (gateway and metric) before and after.
    - C(after) is the kernel's state read again after a real run with O(move); otherwise the plan.
  returned: always
  type: dict
  sample: {"before": {"ipv4": [{"gateway": "10.0.2.2", "metric": 100}]},
           "after": {"ipv4": [{"gateway": "10.0.2.2", "metric": 1000}]}}
found:
  description: Whether an interface matched.
  returned: always
  type: bool
  sample: true
interface:
  description: The interface picked.
  returned: when found
  type: dict
  sample: {"name": "eth1", "index": 3, "mac": "52:54:00:12:34:56"}
routes:
  description: The interface's default routes in the main table before the change, per family.
  returned: when found
  type: dict
  sample: {"ipv4": [{"gateway": "10.0.2.2", "metric": 100}], "ipv6": []}
plan:
  description: One entry per route to move to the new metric.
  returned: when found
  type: list
  elements: dict
  sample: [{"family": "ipv4", "gateway": "10.0.2.2", "dev": "eth1", "old_metric": 100, "new_metric": 1000}]
check_mode:
  description: Whether the module ran in check mode (the role reports it).
  returned: always
  type: bool
  sample: false
management_connection:
  description: The management connection as worked out from O(connection) (only with O(connection)).
  returned: when O(connection) is given
  type: dict
  sample: {address: 192.0.2.7, source: 192.0.2.20, known: true, note: ""}
management:
  description:
    - The management path before and after the change.
    - C(note) explains a check that had nothing to compare, for example an address the kernel has no route to
      (then C(before) and C(after) are left out).
  returned: always
  type: dict
  sample: {"address": "", "checked": false}
'''

import errno
import ipaddress
import os
import re
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    netlink_error_text,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import (
    MAIN_TABLE,
    describe_op,
    route_from_msg,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.routes import run_op
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.management import management_connection
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
    parse_address,
)

METRIC_MAX = 4294967295
# what `route get` answers when there is no usable route: no route at all, an unreachable, prohibit or
# blackhole route
NO_ROUTE_ERRNOS = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EACCES, errno.EINVAL)
RTN_UNICAST = 1
RTN_NO_ROUTE_TYPES = {6: 'blackhole', 7: 'unreachable', 8: 'prohibit'}
VARS = {'interface': 'route_metric_interface', 'mac': 'route_metric_mac', 'gateway': 'route_metric_gateway',
        'metric': 'route_metric_value', 'management_address': 'route_metric_management_address'}


def check_metric(value):
    try:
        metric = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(VARS['metric'], value, 'is not a whole number')
    if not 0 <= metric <= METRIC_MAX:
        raise ValidationError(VARS['metric'], value, 'is outside the range 0-%d' % METRIC_MAX)
    return metric


def check_mac(value):
    if not re.match(r'^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$', value):
        raise ValidationError(VARS['mac'], value, 'is not a MAC address (like 52:54:00:12:34:56)')
    return value.lower().replace('-', ':')


def validate(params):
    """Everything checked before anything is read or changed; -> (selector, value, metric, families)."""
    metric = check_metric(params['metric'])
    families = params['families'] or []
    if not families:
        raise ValidationError('route_metric_families', families, 'is empty; give ipv4, ipv6 or both')
    given = [k for k in ('interface', 'mac', 'gateway') if params.get(k)]
    if len(given) != 1:
        raise ValidationError('route_metric_interface/route_metric_mac/route_metric_gateway',
                              dict((VARS[k], params.get(k)) for k in ('interface', 'mac', 'gateway')),
                              'must name exactly one selector (%d given)' % len(given))
    key = given[0]
    value = params[key]
    if key == 'interface':
        value = check_ifname(VARS['interface'], value)
    elif key == 'mac':
        value = check_mac(value)
    else:
        addr = parse_address(VARS['gateway'], value)
        if 'ipv%d' % addr.version not in families:
            raise ValidationError(VARS['gateway'], value, 'is an IPv%d address but route_metric_families is %s'
                                  % (addr.version, families))
        value = addr.compressed
    if params.get('management_address') and not (params.get('connection') and
                                                 params['management_address'].strip() == 'none'):
        parse_address(VARS['management_address'], params['management_address'])
    return key, value, metric, families


def route_get(nl, address):
    """The kernel's route lookup for ADDRESS (read-only).

    -> (message, None), or (None, why) when the kernel has no usable route to it (that is a finding for the
    caller to report, not a failure)."""
    try:
        msgs = nl.route_lookup(address)
    except NetlinkError as exc:
        if getattr(exc, 'code', None) in NO_ROUTE_ERRNOS:
            return None, "the kernel's route lookup answers %s" % netlink_error_text(exc)
        raise
    if not msgs:
        return None, "the kernel's route lookup returns nothing"
    kind = RTN_NO_ROUTE_TYPES.get(msgs[0]['type'])
    if kind:
        return None, "the kernel's route lookup finds a route of type %s" % kind
    return msgs[0], None


def plan_family(family, routes, dev, metric):
    """routes: canonical default routes of the main table of one family.
    -> list of moves {family, gateway, dev, old_metric, new_metric}. Raises ModuleFailure on conflicts."""
    mine = [r for r in routes if r['dev'] == dev and r['type'] == 'unicast' and not r['nexthops']]
    gateways = sorted(set(r['gateway'] or '' for r in mine))
    if len(gateways) > 1:
        raise ModuleFailure('route_metric: %s has %s default routes through several gateways (%s); '
                            'refusing to guess which one to change' % (dev, family, ', '.join(gateways)))
    for other in routes:
        if other['metric'] == metric and other not in mine:
            raise ModuleFailure('route_metric: the %s default route via %s dev %s already has metric %d; giving %s '
                                'the same metric would replace it (metric is part of a route\'s identity)'
                                % (family, other['gateway'], other['dev'], metric, dev))
    return [{'family': family, 'gateway': r['gateway'], 'dev': dev, 'old_metric': r['metric'],
             'new_metric': metric} for r in mine if r['metric'] != metric]


def best_route(routes, address):
    """Longest prefix, then lowest metric, among canonical unicast routes of one table."""
    addr = ipaddress.ip_address(address)
    best = None
    for route in routes:
        if route['type'] != 'unicast':
            continue
        dest = route['dest']
        net = ipaddress.ip_network(('0.0.0.0/0' if addr.version == 4 else '::/0') if dest == 'default' else dest)
        if net.version != addr.version or addr not in net:
            continue
        key = (-net.prefixlen, route['metric'])
        if best is None or key < best[0]:
            best = (key, route)
    return best[1] if best else None


def after_plan(routes, moves):
    out = []
    for route in routes:
        move = [m for m in moves if m['dev'] == route['dev'] and m['gateway'] == route['gateway']
                and m['old_metric'] == route['metric'] and route['dest'] == 'default']
        if move:
            route = dict(route, metric=move[0]['new_metric'])
        out.append(route)
    return out


def management_check(address, kernel_table, routes, moves):
    """routes: canonical routes of the main table (address's family). Returns the management report;
    raises ModuleFailure when the change would move the management path."""
    report = {'address': address, 'checked': True, 'table': kernel_table}
    if kernel_table != MAIN_TABLE:
        report['note'] = 'the route to %s comes from table %s; the main table change does not touch it' % (
            address, kernel_table)
        return report
    now = best_route(routes, address)
    later = best_route(after_plan(routes, moves), address)

    def hop(route):
        return None if route is None else {'dest': route['dest'], 'dev': route['dev'],
                                           'gateway': route['gateway'], 'metric': route['metric']}

    report['before'] = hop(now)
    report['after'] = hop(later)
    if now is not None and (later is None or (later['dev'], later['gateway']) != (now['dev'], now['gateway'])):
        raise ModuleFailure(
            'route_metric: refusing the change: the management connection from %s is carried by the route %s '
            'via %s dev %s metric %s; after the change it would leave through %s, which can cut the connection '
            'Ansible uses. Set route_metric_management_address to another address, or change the metric from '
            'a connection that does not depend on this route.'
            % (address, now['dest'], now['gateway'], now['dev'], now['metric'],
               'no route at all' if later is None else '%s dev %s' % (later['gateway'], later['dev'])),
            management=report)
    return report


def read_main(nl, families, ifnames):
    """The canonical routes of the main table, per family."""
    out = {}
    for family in families:
        fam = socket.AF_INET if family == 'ipv4' else socket.AF_INET6
        canon = [r for r in (route_from_msg(m, ifnames) for m in nl.route_msgs(fam)) if r]
        out[family] = [r for r in canon if r['table'] == MAIN_TABLE]
    return out


def defaults_of(main, dev):
    """{family: [{gateway, metric}]}: DEV's default routes, the shape of the diff (one entry per kernel key)."""
    out = {}
    for family, routes in main.items():
        keys = set((r['metric'], r['gateway'] or '') for r in routes if r['dest'] == 'default' and r['dev'] == dev)
        out[family] = [{'gateway': gateway or None, 'metric': metric} for metric, gateway in sorted(keys)]
    return out


def move_ops(main, moves, metric):
    """(op, canonical route) in order: each family's route with the new metric added first (once, and only when
    the interface lacks it), then every route with the old metric removed."""
    adds, deletes = [], []
    for move in moves:
        old = [r for r in main[move['family']] if r['dest'] == 'default' and r['dev'] == move['dev']
               and r['gateway'] == move['gateway'] and r['metric'] == move['old_metric']][0]
        new = dict(old, metric=metric)
        held = [r for r in main[move['family']] if r['dest'] == 'default' and r['dev'] == move['dev']
                and r['metric'] == metric]
        if not held and not [r for op, r in adds if r['family'] == new['family']]:
            adds.append(('add', new))
        deletes.append(('delete', old))
    return adds + deletes


def body(module):
    params = module.params
    key, value, metric, families = validate(params)
    found = None
    if params.get('connection'):
        # Read here rather than from gathered facts: one module call fewer.
        found = management_connection(params['management_address'], params['connection'],
                                      os.environ.get('SSH_CONNECTION', ''), VARS['management_address'])
        params = dict(params, management_address=found['address'],
                      management_unknown=params['management_unknown'] or ('' if found['known'] else found['note']))
    extra = {} if found is None else {'management_connection': found}
    mgmt = params.get('management_address') or ''
    with Netlink(params['netns']) as nl:
        links = nl.links()
        ifnames = dict((link['index'], link['name']) for link in links)
        link, no_route = None, None
        if key == 'interface':
            link = [item for item in links if item['name'] == value]
        elif key == 'mac':
            link = [item for item in links if (item['mac'] or '').lower() == value]
        else:
            msg, no_route = route_get(nl, value)
            oif = msg.get_attr('RTA_OIF') if msg is not None else None
            direct = msg is not None and not msg.get_attr('RTA_GATEWAY') and msg['type'] == RTN_UNICAST
            link = [item for item in links if item['index'] == oif] if direct else []
        if not link:
            text = {'interface': 'no interface is named %r',
                    'mac': 'no interface has the MAC address %r',
                    'gateway': 'no interface has the gateway %r on a directly connected subnet'}[key] % value
            if key == 'gateway' and no_route:
                text += ': there is no route to it at all (%s)' % no_route
            if params['missing'] == 'fail':
                raise ValidationError(VARS[key], params[key], 'matches no interface here: ' + text)
            return dict(DifferenceTracker().result(), found=False, reason=text, check_mode=module.check_mode,
                        management={'address': mgmt, 'checked': False}, **extra)
        link = link[0]
        dev = link['name']
        all_routes = read_main(nl, families, ifnames)
        routes, moves = {}, []
        for family in families:
            defaults = [r for r in all_routes[family] if r['dest'] == 'default']
            routes[family] = [{'gateway': r['gateway'], 'metric': r['metric'], 'proto': r['proto']}
                              for r in defaults if r['dev'] == dev]
            moves.extend(plan_family(family, defaults, dev, metric))
        management = {'address': mgmt, 'checked': False}
        if mgmt:
            addr = ipaddress.ip_address(mgmt)
            family = 'ipv%d' % addr.version
            if family not in all_routes:
                management = {'address': mgmt, 'checked': True,
                              'note': '%s is not touched (route_metric_families is %s)' % (family, families)}
            else:
                msg, no_route = route_get(nl, addr.compressed)
                if msg is None:
                    # no path to move: nothing to refuse, but worth a look (a wrong address?)
                    management = {'address': mgmt, 'checked': True,
                                  'note': 'the management address %s (route_metric_management_address) has no route '
                                          'here (%s); the change cannot move a path that does not exist'
                                          % (addr.compressed, no_route)}
                else:
                    table = msg.get_attr('RTA_TABLE')
                    if table is None:
                        table = msg['table']
                    management = management_check(addr.compressed, table, all_routes[family], moves)
        before = defaults_of(all_routes, dev)
        if not params['move']:
            tracker = DifferenceTracker(before, before)   # read-only: this call changes nothing
        else:
            tracker = DifferenceTracker(before, defaults_of(dict((family, after_plan(routes, moves))
                                                                 for family, routes in all_routes.items()), dev))
        if params['move'] and moves:
            if params['management_unknown']:
                raise ModuleFailure(
                    'route_metric: %s. Refusing to change the default routes of %s (%d route(s)) without knowing '
                    'whether they carry the connection Ansible uses.' % (params['management_unknown'], dev, len(moves)),
                    plan=moves, management=management, **extra)
            by_name = dict((item['name'], item['index']) for item in links)
            for op, route in move_ops(all_routes, moves, metric):
                text = describe_op(op, route)
                tracker.add(text, run_op, nl, op, route, by_name, 'route_metric: ' + text)
            tracker.apply(module.check_mode)
            tracker.verify(lambda: defaults_of(read_main(nl, families, ifnames), dev))
    return tracker.result(found=True, check_mode=module.check_mode,
                          interface={'name': dev, 'index': link['index'], 'mac': link['mac']},
                          routes=routes, plan=moves, metric=metric, management=management, **extra)


def main():
    module = new_module(argument_spec=dict(
        interface=dict(type='str'),
        mac=dict(type='str'),
        gateway=dict(type='str'),
        families=dict(type='list', elements='str', choices=['ipv4', 'ipv6'], default=['ipv4', 'ipv6']),
        metric=dict(type='raw', required=True),
        management_address=dict(type='str', default=''),
        missing=dict(type='str', choices=['fail', 'report'], default='fail'),
        move=dict(type='bool', default=False),
        management_unknown=dict(type='str', default=''),
        connection=dict(type='str'),
    ))
    run_module(module, body)


if __name__ == '__main__':
    main()
