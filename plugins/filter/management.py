# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter shared by the fleet roles that change routes (route_metric,
policy_routes): where does the connection Ansible uses come from?

The logic lives in module_utils/_plan/management.py (shared with the
policy_routes_fix module); unit-tested in tests/unit/plugins/filter/test_management.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.management import management_connection


class FilterModule(object):
    """Management connection filters."""

    def filters(self):
        return {'management_connection': management_connection}
