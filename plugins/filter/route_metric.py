# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.route_metric role: the runtime moves as
ip_route route lists, and its per-host result.

The logic lives in module_utils/_plan/route_metric.py (unit-tested in
tests/unit/plugins/filter/test_route_metric.py); documented in
route_metric_moves.yml and route_metric_result.yml beside this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.route_metric import (
    route_metric_moves,
    route_metric_result,
)


class FilterModule(object):
    """route_metric role filters."""

    def filters(self):
        return {'route_metric_moves': route_metric_moves, 'route_metric_result': route_metric_result}
