# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.vpn_split_tunnel role: its address checks
(on the controller, before any change) and its split routes as one list.

The logic lives in module_utils/_plan/vpn_split_tunnel.py (unit-tested in
tests/unit/plugins/filter/test_vpn_split_tunnel.py); documented in
vpn_split_tunnel_problems.yml and vpn_split_tunnel_routes.yml beside this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.vpn_split_tunnel import (
    vpn_split_tunnel_problems,
    vpn_split_tunnel_routes,
)


class FilterModule(object):
    """vpn_split_tunnel role filters."""

    def filters(self):
        return {'vpn_split_tunnel_problems': vpn_split_tunnel_problems, 'vpn_split_tunnel_routes': vpn_split_tunnel_routes}
