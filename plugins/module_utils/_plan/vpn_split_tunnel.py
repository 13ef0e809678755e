# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The address checks and split routes of the linuxnet.plumbing.vpn_split_tunnel role.

Pure: the role calls it through the vpn_split_tunnel_problems filter on the
controller, so checking a handful of addresses costs no module call (the
role used to ask linuxnet.plumbing.ip_route in check mode, once per value).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    parse_address,
    parse_interface_address,
    parse_prefix,
)

# variable -> (checker, what the value must be); lists are checked element by element.
CHECKS = (
    ('vpn_split_tunnel_prefixes', parse_prefix, 'an IPv4 or IPv6 prefix without host bits'),
    ('vpn_split_tunnel_client_addresses', parse_interface_address, 'an IPv4 or IPv6 address with its prefix length'),
    ('vpn_split_tunnel_gateway_addresses', parse_interface_address, 'an IPv4 or IPv6 address with its prefix length'),
    ('vpn_split_tunnel_endpoint', parse_address, 'an IPv4 or IPv6 address'),
)


def vpn_split_tunnel_problems(values):
    """VALUES: {variable: value or list of values} of the role's address
    variables -> one message per bad value ('VAR: value 'X' is not WHAT: why'),
    in the order of CHECKS; [] when all are good. A variable missing from
    VALUES is not checked."""
    problems = []
    for var, check, what in CHECKS:
        if var not in values:
            continue
        items = values[var]
        for item in items if isinstance(items, (list, tuple)) else [items]:
            if not isinstance(item, str):
                problems.append("%s: value '%s' is not %s: it is not a string" % (var, item, what))
                continue
            if '[' in item or ']' in item:
                # The role writes the brackets of an IPv6 endpoint itself.
                problems.append("%s: value '%s' is not %s: write it without brackets" % (var, item, what))
                continue
            try:
                check(var, item)
            except ValidationError as exc:
                problems.append("%s: value '%s' is not %s: %s" % (var, item, what, exc.reason))
    return problems


def vpn_split_tunnel_routes(prefixes, device):
    """The client's split routes as linuxnet.plumbing.ip_route's routes list:
    each prefix through the tunnel DEVICE (the peer's allowed IPs choose the
    peer, so no gateway)."""
    return [{'dest': prefix, 'dev': device} for prefix in prefixes]
