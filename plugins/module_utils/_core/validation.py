# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks shared by every module.

Each check raises ValidationError naming the option and the offending value,
so that a module can fail before it has touched the system.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

IFNAMSIZ = 16  # the kernel's limit includes the trailing NUL: 15 usable bytes


class ValidationError(Exception):
    def __init__(self, option, value, reason):
        self.option = option
        self.value = value
        self.reason = reason
        super(ValidationError, self).__init__(
            "option '%s': value %r %s" % (option, value, reason))


def _text(value):
    return value if isinstance(value, str) else str(value)


def check_ifname(option, value):
    """A Linux interface name: 1-15 bytes, no '/', ':', whitespace or NUL."""
    if value is None:
        return value
    value = _text(value)
    raw = value.encode('utf-8')
    if not raw:
        raise ValidationError(option, value, 'is empty; an interface name needs 1 to 15 bytes')
    if len(raw) >= IFNAMSIZ:
        raise ValidationError(option, value, 'is %d bytes long; Linux interface names are at most 15 bytes' % len(raw))
    if value in ('.', '..'):
        raise ValidationError(option, value, 'is not a valid interface name')
    for char in value:
        if char == '/' or char == ':' or char == '\0' or char.isspace():
            raise ValidationError(option, value, "contains %r, which Linux interface names may not contain" % char)
    return value


def check_netns_name(option, value):
    """A namespace name usable as a file under /run/netns."""
    if value is None:
        return value
    value = _text(value)
    if not value:
        raise ValidationError(option, value, 'is empty')
    if '/' in value or '\0' in value:
        raise ValidationError(option, value, "contains '/' or NUL, which namespace names may not contain")
    if value in ('.', '..') or '..' in value:
        raise ValidationError(option, value, "contains '..', which namespace names may not contain")
    if len(value.encode('utf-8')) > 255:
        raise ValidationError(option, value, 'is longer than 255 bytes')
    return value


def _family_ok(option, value, version, family):
    if family is not None and version != family:
        raise ValidationError(option, value, 'is an IPv%d value where IPv%d is required' % (version, family))


def parse_interface_address(option, value, family=None):
    """'10.0.0.1/24' or '2001:db8::1/64' -> ipaddress.ip_interface.

    A prefix length is required: an address without one is ambiguous
    (/32 makes the neighbour unreachable, see the basic_pair lab).
    """
    value = _text(value).strip()
    if '/' not in value:
        raise ValidationError(option, value, 'has no prefix length; write it as ADDRESS/PREFIXLEN (for example 10.0.0.1/24)')
    try:
        iface = ipaddress.ip_interface(value)
    except ValueError as exc:
        raise ValidationError(option, value, 'is not a valid address with prefix length (%s)' % exc)
    _family_ok(option, value, iface.version, family)
    return iface


def parse_prefix(option, value, family=None):
    """A network prefix without host bits: '10.0.0.0/24', '2001:db8::/64'."""
    value = _text(value).strip()
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(option, value, 'is not a valid network prefix (%s)' % exc)
    if '/' in value and net.network_address != ipaddress.ip_interface(value).ip:
        raise ValidationError(option, value, 'has host bits set; the prefix is %s' % net)
    _family_ok(option, value, net.version, family)
    return net


def parse_address(option, value, family=None):
    """A single address without prefix length."""
    value = _text(value).strip()
    if value.startswith('[') and value.endswith(']'):
        value = value[1:-1]
    try:
        addr = ipaddress.ip_address(value)
    except ValueError as exc:
        raise ValidationError(option, value, 'is not a valid IP address (%s)' % exc)
    _family_ok(option, value, addr.version, family)
    return addr


def check_port(option, value):
    if value is None:
        return value
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ValidationError(option, value, 'is not a port number')
    if not 1 <= port <= 65535:
        raise ValidationError(option, value, 'is outside the port range 1-65535')
    return port


def check_range(option, value, low, high):
    if value is None:
        return value
    if not low <= int(value) <= high:
        raise ValidationError(option, value, 'is outside the range %d-%d' % (low, high))
    return int(value)
