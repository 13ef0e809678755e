# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter of the linuxnet.plumbing.firewall role: its rule sets as the lists
of one dnat and one firewall_rule call.

The logic lives in module_utils/_plan/firewall_role.py (unit-tested in
tests/unit/plugins/filter/test_firewall_plan.py); documented in firewall_plan.yml
beside this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.firewall_role import firewall_plan


class FilterModule(object):
    """firewall role filter."""

    def filters(self):
        return {'firewall_plan': firewall_plan}
