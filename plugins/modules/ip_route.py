#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ip_route
short_description: Manage IPv4 and IPv6 routes in a network namespace
version_added: 0.1.0
description:
  - Ensures one route is present or absent in a routing table of a network namespace, over netlink (pyroute2).
  - With O(routes), manages a list of routes in one table in one call, and with O(purge) the whole table at once (every route of the
    table that is not listed is removed).
  - Unicast routes via a gateway, device-only (layer-2 direct, C(scope link)) routes, multipath routes with
    weights, and C(blackhole), C(unreachable) and C(prohibit) routes, in any table, for IPv4 and IPv6.
  - A route is identified the way the kernel identifies it, by address family, O(table), O(dest) and O(metric).
    The kernel keeps only one route per such key, whatever its type or next hop. When the route exists with
    another gateway, device, type, scope, source or next hops it is replaced in place (C(NLM_F_REPLACE)),
    so the destination never lacks a route.
  - Every option is checked before anything changes; bad input fails with a message that names the option
    and the value.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  dest:
    description:
      - The destination, C(default) or a prefix such as C(192.0.2.0/24) or C(2001:db8:1::/48).
      - A plain address means a host route (C(/32) or C(/128)).
      - A prefix with host bits set (C(192.0.2.1/24)) is refused.
      - C(default) is IPv4 unless O(gateway), O(src), O(nexthops) or O(family) say IPv6.
      - Required unless O(routes) is given; mutually exclusive with O(routes), as are all the options of one route
        (O(gateway), O(dev), O(metric), O(scope), O(src), O(type), O(onlink), O(nexthops)) and O(exclusive).
    type: str
  gateway:
    description:
      - The next hop's address. It must lie in a subnet connected to the namespace (an address on one of its
        interfaces, or a device route in the C(main) table or in O(table)), on O(dev) when that is given, unless
        O(onlink) is set.
      - An IPv6 link-local gateway (C(fe80::/10)) needs O(dev).
      - Mutually exclusive with O(nexthops).
    type: str
  dev:
    description:
      - The outgoing interface. Must exist in the namespace.
      - With O(dev) and no O(gateway) the route is a device route (C(scope link) for IPv4); the destination is
        reached directly on that link, by ARP/neighbour discovery.
      - When omitted with a O(gateway), the kernel picks the interface and any interface is accepted as
        already correct.
    type: str
  metric:
    description:
      - The route's metric (priority), 0-4294967295. Lower wins.
      - Part of the route's identity. When omitted, the kernel default is used, C(0) for IPv4 and C(1024) for
        IPv6 (the kernel also stores an IPv6 metric C(0) as C(1024)).
      - With O(state=absent), an omitted metric matches routes of any metric.
    type: int
  table:
    description:
      - The routing table, as a number (1-4294967295) or a name from C(/etc/iproute2/rt_tables),
        C(/etc/iproute2/rt_tables.d/*.conf) or the distribution's C(/usr/share/iproute2) or C(/usr/lib/iproute2)
        equivalents; C(local), C(main) and C(default) are always known. When O(netns) has its own
        C(/etc/netns/NAME/iproute2) directory, that one is read instead of C(/etc/iproute2), as C(ip netns exec) does.
      - An unknown name is an error.
      - With O(routes), every listed route goes to this table.
    type: raw
    default: main
  scope:
    description:
      - The IPv4 route scope. Defaults to C(link) for a device route (O(dev) without O(gateway) or O(nexthops))
        and C(global) otherwise.
      - IPv6 routes have no scope; only C(global) is accepted for them.
    type: str
    choices: [global, site, link, host]
  src:
    description:
      - The preferred source address for traffic using this route. Must be an address of an interface in the
        namespace.
      - When omitted, a source the kernel or another tool set on the existing route is left alone.
    type: str
  type:
    description:
      - The route type. C(unicast) (the default when O(state=present)) forwards to a next hop; C(blackhole)
        drops silently, C(unreachable) and C(prohibit) drop and answer with an ICMP error.
      - With O(state=absent), an omitted type matches routes of any type.
    type: str
    choices: [unicast, blackhole, unreachable, prohibit]
  onlink:
    description:
      - Treat the gateway as directly reachable on O(dev) even though no connected subnet contains it
        (C(onlink) flag). Needs O(dev), or a dev on every next hop.
    type: bool
    default: false
  nexthops:
    description:
      - Next hops of a multipath (ECMP) route; traffic is spread over them in proportion to their weights.
      - Mutually exclusive with O(gateway) and O(dev). A list of one next hop makes an ordinary route.
    type: list
    elements: dict
    suboptions:
      gateway:
        description: The next hop's address (same rules as O(gateway)).
        type: str
      dev:
        description: The next hop's interface.
        type: str
      weight:
        description: The next hop's weight, 1-256.
        type: int
        default: 1
  exclusive:
    description:
      - Also remove every other route to O(dest) in O(table) of the same address family, whatever its metric,
        so that this route is the only one to that destination (for example one default route per table).
      - The kernel's own routes (C(proto kernel), such as the route of a connected subnet) are never removed.
      - Routes to other destinations are never touched; manage each destination with its own task, or list the
        routes of the table in O(routes) and set O(purge).
      - Only used with O(state=present). Not used with O(routes).
    type: bool
    default: false
  routes:
    description:
      - A list of routes to manage in one call, in O(table) of O(netns) (or each in its own O(routes[].table)),
        over one netlink connection; the list form of the module. Mutually exclusive with O(dest) and the other options of a single route.
      - Each element takes the options of a single route and is checked exactly as a single route is; every
        element is checked before anything changes, and errors name the element's option path, for
        example C(routes[2].gateway).
      - With O(state=present), each route is added or replaced in place as O(dest) would be. Two elements with the
        same family, destination and metric are an error (the kernel keeps one route per such key).
      - With O(state=absent), each element removes the routes that the same options would remove with O(dest)
        (an omitted O(routes[].metric) or O(routes[].type) matches any), and nothing else.
      - An empty list manages nothing, unless O(purge) and O(family) empty that family of the table.
    type: list
    elements: dict
    version_added: 0.1.0
    suboptions:
      dest:
        description: The destination, as O(dest).
        type: str
        required: true
      gateway:
        description: The next hop's address, as O(gateway).
        type: str
      dev:
        description: The outgoing interface, as O(dev).
        type: str
      metric:
        description: The route's metric, as O(metric).
        type: int
      scope:
        description: The IPv4 route scope, as O(scope).
        type: str
        choices: [global, site, link, host]
      src:
        description: The preferred source address, as O(src).
        type: str
      type:
        description: The route type, as O(type).
        type: str
        choices: [unicast, blackhole, unreachable, prohibit]
      onlink:
        description: Treat the gateway as directly reachable on O(routes[].dev), as O(onlink).
        type: bool
        default: false
      nexthops:
        description: Next hops of a multipath route, as O(nexthops).
        type: list
        elements: dict
        suboptions:
          gateway:
            description: The next hop's address.
            type: str
          dev:
            description: The next hop's interface.
            type: str
          weight:
            description: The next hop's weight, 1-256.
            type: int
            default: 1
      family:
        description:
          - The route's address family, as O(family). When the module-level O(family) is given it is the default
            here, and another value is an error.
        type: str
        choices: [ipv4, ipv6]
      table:
        description:
          - The route's table, as O(table) (a number or a name); when omitted, the module-level O(table).
          - Lets one call fix routes of several tables (for example the missing default routes of every
            policy-routing table). With O(purge) every element must be in the module-level O(table).
        type: raw
        version_added: 0.1.0
  purge:
    description:
      - Remove every route of O(table) that is not listed in O(routes), in the address families of the listed
        routes (or in O(family) when that is given, which also lets O(routes=[]) empty that family of the table).
      - A route counts as listed when it has the family, destination and metric of an element; such a route is
        replaced in place when its other attributes differ, never removed.
      - The kernel's own routes (C(proto kernel)) are kept unless O(purge_kernel_routes) is set. Routes of other
        tables and of the other address family are never touched.
      - A listed gateway that is reachable only through a device route of the table that purge would remove is an
        error (list that route too).
      - Needs O(routes) and O(state=present).
    type: bool
    default: false
    version_added: 0.1.0
  purge_kernel_routes:
    description:
      - With O(purge), remove the kernel's own routes (C(proto kernel)) that are not listed as well, such as the
        routes of connected subnets and, for IPv6, C(fe80::/64), when O(table) is C(main).
      - Needs O(purge).
    type: bool
    default: false
    version_added: 0.1.0
  family:
    description:
      - The address family, needed only when nothing else tells it (O(dest=default) without O(gateway), O(src)
        or O(nexthops), for example an IPv6 default C(unreachable) route).
      - Must agree with every address given.
      - With O(routes), the family of every element, and the family O(purge) empties.
    type: str
    choices: [ipv4, ipv6]
  state:
    description:
      - C(present) ensures the route exists as described (adding it or replacing the route with the same key).
      - C(absent) removes the routes to O(dest) in O(table) of that family that match O(metric), O(type),
        O(gateway) and O(dev) where those are given. The kernel's own routes are removed too when they match.
      - With O(routes), the same for each element.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Routes whose TOS is set are never matched or changed.
  - A gateway route depends on its connected subnet; when that subnet's interface is down the kernel removes
    IPv4 gateway routes through it, and a later run adds them again.
seealso:
  - module: linuxnet.plumbing.ip_rule
  - module: linuxnet.plumbing.ip_address
'''

EXAMPLES = r'''
- name: Route 10.0.1.0/24 through the router in namespace ns1
  linuxnet.plumbing.ip_route:
    netns: ns1
    dest: 10.0.1.0/24
    gateway: 10.0.0.254

- name: Default route with a metric (the preferred of two paths)
  linuxnet.plumbing.ip_route:
    netns: ns1
    dest: default
    gateway: 10.0.0.254
    metric: 100

- name: Layer-2 direct route to a host on the same switch (device route, scope link)
  linuxnet.plumbing.ip_route:
    netns: hosta
    dest: 192.0.2.7/32
    dev: eth1

- name: Drop traffic to a prefix silently
  linuxnet.plumbing.ip_route:
    dest: 198.51.100.0/24
    type: blackhole

- name: Default route in a named policy-routing table, the only default route there
  linuxnet.plumbing.ip_route:
    dest: default
    gateway: 192.0.2.1
    table: isp2
    exclusive: true

- name: Spread traffic over two routers, two to one
  linuxnet.plumbing.ip_route:
    netns: ns1
    dest: 203.0.113.0/24
    nexthops:
      - gateway: 10.0.0.254
        weight: 2
      - gateway: 10.0.2.254
        weight: 1

- name: IPv6 route via a link-local gateway
  linuxnet.plumbing.ip_route:
    dest: 2001:db8:1::/48
    gateway: fe80::1
    dev: eth0

- name: Remove every route to 10.9.0.0/16 in the main table
  linuxnet.plumbing.ip_route:
    dest: 10.9.0.0/16
    state: absent

- name: Table 100 holds exactly these routes (IPv4 and IPv6), every other one is removed
  linuxnet.plumbing.ip_route:
    netns: ns1
    table: 100
    purge: true
    routes:
      - dest: default
        gateway: 10.0.0.254
      - dest: 10.0.8.0/24
        dev: veth1
      - dest: 198.51.100.0/24
        type: blackhole
      - dest: default
        gateway: fe80::1
        dev: veth1

- name: Empty the IPv6 routes of table isp2, the kernel's own included
  linuxnet.plumbing.ip_route:
    table: isp2
    family: ipv6
    routes: []
    purge: true
    purge_kernel_routes: true

- name: The default routes of two policy-routing tables in one call
  linuxnet.plumbing.ip_route:
    netns: ns1
    routes:
      - {dest: default, gateway: 10.0.0.254, table: 100}
      - {dest: default, gateway: 10.0.1.254, table: isp2}

- name: Remove two routes of table 100
  linuxnet.plumbing.ip_route:
    netns: ns1
    table: 100
    state: absent
    routes:
      - dest: 10.0.8.0/24
      - dest: 198.51.100.0/24
        type: blackhole
'''

RETURN = r'''
route:
  description:
    - The route after the run, as the kernel reports it (in check mode, as it would be).
    - C(null) with O(state=absent).
  returned: success, when O(dest) is given
  type: dict
  sample:
    family: ipv4
    dest: 10.0.1.0/24
    table: 254
    metric: 0
    type: unicast
    scope: global
    proto: static
    gateway: 10.0.0.254
    dev: veth1
    src: null
    onlink: false
    nexthops: null
actions:
  description: What was done (or would be done in check mode), one line per change.
  returned: always
  type: list
  elements: str
  sample:
    - "replace route 10.0.1.0/24 via 10.0.0.253 dev veth1 metric 0 table 254 (was: 10.0.1.0/24 via 10.0.0.254 dev veth1 metric 0 table 254)"
diff:
  description:
    - The route before and after, as dicts with the keys of RV(route) (an empty dict when there is no such
      route).
    - With O(exclusive), or when O(state=absent) removes several routes, C(other_routes) lists the further
      routes to the same destination.
    - With O(routes), C(before.routes) and C(after.routes) list every route of O(table) (and of the elements'
      own O(routes[].table)) in the address families concerned (those of the listed routes, and the purged family),
      sorted by table, family, destination and metric.
    - C(after) is the kernel's state read again after a real run (in check mode, the plan). The module fails,
      naming its actions and the difference, when that reading is not what it planned.
  returned: always
  type: dict
  sample:
    before: {}
    after:
      family: ipv4
      dest: 192.0.2.7/32
      table: 254
      metric: 0
      type: unicast
      scope: link
      proto: static
      gateway: null
      dev: eth1
      src: null
      onlink: false
      nexthops: null
routes:
  description:
    - The listed routes after the run, in the order of O(routes), with the keys of RV(route), as the kernel
      reports them (in check mode, as they would be).
    - An empty list with O(state=absent).
    - The whole table before and after is in RV(diff) (C(before.routes), C(after.routes)).
  returned: success, when O(routes) is given
  type: list
  elements: dict
  version_added: 0.1.0
  sample:
    - family: ipv4
      dest: default
      table: 100
      metric: 0
      type: unicast
      scope: global
      proto: static
      gateway: 10.0.0.254
      dev: veth1
      src: null
      onlink: false
      nexthops: null
removed:
  description:
    - The routes removed from O(table) (in check mode, that would be removed), with the keys of RV(route) - by
      O(purge), by O(state=absent), or duplicates that the kernel holds under a listed route's key.
  returned: success, when O(routes) is given
  type: list
  elements: dict
  version_added: 0.1.0
  sample:
    - family: ipv4
      dest: 10.9.0.0/16
      table: 100
      metric: 0
      type: unicast
      scope: global
      proto: boot
      gateway: 10.0.0.253
      dev: veth1
      src: null
      onlink: false
      nexthops: null
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.routes import (
    apply_route_list,
    read_namespace,
    run_op,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import (
    check_list_options,
    describe_op,
    desired_route,
    detect_family,
    list_versions,
    plan_absent,
    plan_present,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.rt_tables import RtTables

# The options that describe one route: the module's own (one route per call)
# and the suboptions of each element of `routes` (many routes in one call).
ROUTE_OPTIONS = dict(
    dest=dict(type='str'),
    gateway=dict(type='str'),
    dev=dict(type='str'),
    metric=dict(type='int'),
    scope=dict(type='str', choices=['global', 'site', 'link', 'host']),
    src=dict(type='str'),
    type=dict(type='str', choices=['unicast', 'blackhole', 'unreachable', 'prohibit']),
    onlink=dict(type='bool', default=False),
    nexthops=dict(type='list', elements='dict', options=dict(
        gateway=dict(type='str'),
        dev=dict(type='str'),
        weight=dict(type='int', default=1),
    )),
    family=dict(type='str', choices=['ipv4', 'ipv6']),
)

ARGUMENT_SPEC = dict(
    ROUTE_OPTIONS,
    table=dict(type='raw', default='main'),
    exclusive=dict(type='bool', default=False),
    routes=dict(type='list', elements='dict',
                options=dict(ROUTE_OPTIONS, dest=dict(type='str', required=True), table=dict(type='raw'))),
    purge=dict(type='bool', default=False),
    purge_kernel_routes=dict(type='bool', default=False),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)

# One route per call (dest and its options) or the list form (routes), never both;
# `family`, `table`, `netns` and `state` serve both forms.
SINGLE_ONLY = ('dest', 'gateway', 'dev', 'metric', 'scope', 'src', 'type', 'onlink', 'nexthops', 'exclusive')
MUTUALLY_EXCLUSIVE = [[option, 'routes'] for option in SINGLE_ONLY]
REQUIRED_ONE_OF = [['dest', 'routes']]
REQUIRED_IF = [['purge', True, ['routes']]]


def body(module):
    if module.params['routes'] is not None:
        return body_list(module)
    params = module.params
    netns = params['netns']
    check_list_options(params)   # purge_kernel_routes without purge
    version = detect_family(params)
    table = RtTables.load(netns).lookup('table', params['table'])

    def plan(routes):
        if params['state'] == 'present':
            return plan_present(desired, resolved, routes, params['exclusive'])
        return plan_absent(desired, params, routes)

    with Netlink(netns) as nl:
        ns = read_namespace(nl, version, netns)
        desired, resolved = desired_route(params, table, ns)
        before, after, ops = plan(ns.routes)
        tracker = DifferenceTracker(before, after)
        for op, route in ops:
            text = describe_op(op, route, before)
            tracker.add(text, run_op, nl, op, route, ns.links, text)
        tracker.apply(module.check_mode)

        def replan():
            now, dummy, pending = plan(read_namespace(nl, version, netns).routes)
            return now, pending

        # the kernel's reading becomes "after": the plan predicts what the kernel fills in (dev)
        after = tracker.verify_by_planning(replan)
    route = None
    if params['state'] == 'present':
        route = dict(after)
        route.pop('other_routes', None)
    return tracker.result(route=route)


def body_list(module):
    """The list form: every route of `routes` in `table`, in one plan over one socket."""
    params = module.params
    netns = params['netns']
    versions, purge = list_versions(params)   # option checks that need no reading, before the table lookup
    names = RtTables.load(netns)
    table = names.lookup('table', params['table'])
    # Each element's own table as a number, so that the planner compares numbers only.
    params = dict(params, routes=[dict(entry or {}, table=names.lookup('routes[%d].table' % index, (entry or {}).get('table')))
                                  for index, entry in enumerate(params['routes'])])
    with Netlink(netns) as nl:
        tracker, plan, listed = apply_route_list(nl, params, table, set(versions) | purge, module.check_mode)
    return tracker.result(routes=listed, removed=plan['removed'])


def main():
    module = new_module(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                        required_one_of=REQUIRED_ONE_OF, required_if=REQUIRED_IF)
    run_module(module, body)


if __name__ == '__main__':
    main()
