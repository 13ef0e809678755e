#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: route_metric_select
short_description: Pick an interface, read its default routes and plan a metric change safely (read-only)
version_added: 0.1.0
description:
  - Helper of the P(linuxnet.plumbing.route_metric#role) role (collection roles cannot carry their own modules).
    Reads over netlink only; never changes anything.
  - Picks the interface by O(interface), O(mac) or O(gateway) (the interface through which the gateway is
    directly reachable, found with a kernel route lookup), reads its default routes in the main table per family,
    and returns the plan (add the route with the new metric, then remove the old one).
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
'''

EXAMPLES = r'''
- name: Plan metric 1000 for the interface of gateway 10.0.2.2
  linuxnet.plumbing.route_metric_select:
    gateway: 10.0.2.2
    metric: 1000
'''

RETURN = r'''
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
import re
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    netlink_error_text,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import MAIN_TABLE, route_from_msg
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
    if params.get('management_address'):
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


def body(module):
    params = module.params
    key, value, metric, families = validate(params)
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
            return dict(changed=False, found=False, reason=text, check_mode=module.check_mode,
                        management={'address': mgmt, 'checked': False})
        link = link[0]
        dev = link['name']
        routes, moves, all_routes = {}, [], {}
        for family in families:
            fam = socket.AF_INET if family == 'ipv4' else socket.AF_INET6
            canon = [r for r in (route_from_msg(m, ifnames) for m in nl.route_msgs(fam)) if r]
            main = [r for r in canon if r['table'] == MAIN_TABLE]
            all_routes[family] = main
            defaults = [r for r in main if r['dest'] == 'default']
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
    return dict(changed=False, found=True, check_mode=module.check_mode,
                interface={'name': dev, 'index': link['index'], 'mac': link['mac']},
                routes=routes, plan=moves, metric=metric, management=management)


def main():
    module = new_module(argument_spec=dict(
        interface=dict(type='str'),
        mac=dict(type='str'),
        gateway=dict(type='str'),
        families=dict(type='list', elements='str', choices=['ipv4', 'ipv6'], default=['ipv4', 'ipv6']),
        metric=dict(type='raw', required=True),
        management_address=dict(type='str', default=''),
        missing=dict(type='str', choices=['fail', 'report'], default='fail'),
    ))
    run_module(module, body)


if __name__ == '__main__':
    main()
