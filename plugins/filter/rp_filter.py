# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the linuxnet.plumbing.rp_filter role: the keys it sets and its
per-host result, from the one net_sysctl call that does a host's work.

The logic lives in module_utils/_plan/rp_filter.py (unit-tested in
tests/unit/plugins/filter/test_rp_filter.py); documented in
rp_filter_keys.yml and rp_filter_result.yml beside this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rp_filter import (
    rp_filter_keys,
    rp_filter_result,
)


class FilterModule(object):
    """rp_filter role filters."""

    def filters(self):
        return {'rp_filter_keys': rp_filter_keys, 'rp_filter_result': rp_filter_result}
