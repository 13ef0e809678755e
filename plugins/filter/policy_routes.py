# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.policy_routes role: which policy-routing
table needs which default route.

The logic lives in module_utils/_plan/policy_routes.py (shared with the
interface_watch watcher); unit-tested in tests/unit/plugins/filter/. Roles
inside a collection cannot ship their own filter_plugins, hence a collection
filter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.policy_routes import (
    policy_routes_by_table,
    policy_routes_describe,
    policy_routes_fixed,
    policy_routes_management,
    policy_routes_plan,
    policy_routes_routes,
)


class FilterModule(object):
    """policy_routes role filters."""

    def filters(self):
        return {'policy_routes_plan': policy_routes_plan, 'policy_routes_describe': policy_routes_describe,
                'policy_routes_management': policy_routes_management, 'policy_routes_by_table': policy_routes_by_table,
                'policy_routes_routes': policy_routes_routes, 'policy_routes_fixed': policy_routes_fixed}
