# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routes end to end: read a namespace for the route planner, run one planned
operation, and ip_route's list form (plan, apply, verify) for every module
that adds routes in one call (ip_route, policy_routes_fix, route_metric_select).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import NetlinkError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import netlink_error_text
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import (
    Namespace,
    delete_request,
    describe_op,
    plan_route_list,
    route_from_msg,
    route_request,
)


def read_namespace(nl, versions, name):
    """Links, addresses and routes (every table) of one address family (4, 6) or several."""
    if isinstance(versions, int):
        versions = (versions,)
    links = dict((link['name'], link['index']) for link in nl.links())
    ifnames = dict((v, k) for k, v in links.items())
    addresses = [a for a in nl.addresses() if a['family'] in versions]
    routes = []
    for version in sorted(versions):
        for msg in nl.route_msgs(socket.AF_INET if version == 4 else socket.AF_INET6):
            route = route_from_msg(msg, ifnames)
            if route is not None:
                routes.append(route)
    return Namespace(links, addresses, routes, name)


def run_op(nl, op, route, links, description):
    """One planned operation (add, replace, delete) of a canonical route; the kernel's refusal names it."""
    try:
        if op == 'delete':
            nl.change_route('del', **delete_request(route, links))
        else:
            nl.change_route(op, **route_request(route, links))
    except NetlinkError as exc:
        raise ModuleFailure('%s: the kernel refused it: %s' % (description, netlink_error_text(exc)))


def apply_route_list(nl, params, table, versions, check_mode):
    """ip_route's list form over an open client: plan PARAMS (ip_route's options, each element's table a
    number), apply unless CHECK_MODE, read again and fail unless the kernel holds the plan.
    VERSIONS: the address families to read. -> (tracker, plan, listed as read back)."""
    ns = read_namespace(nl, versions, nl.netns)
    plan = plan_route_list(params, table, ns)
    tracker = DifferenceTracker({'routes': plan['before']}, {'routes': plan['after']})
    for op, route, was in plan['ops']:
        text = describe_op(op, route, was)
        tracker.add(text, run_op, nl, op, route, ns.links, text)
    tracker.apply(check_mode)
    replanned = {}

    def replan():
        replanned.update(plan_route_list(params, table, read_namespace(nl, versions, nl.netns)))
        return {'routes': replanned['before']}, replanned['ops']

    tracker.verify_by_planning(replan)
    return tracker, plan, replanned.get('listed', plan['listed'])
