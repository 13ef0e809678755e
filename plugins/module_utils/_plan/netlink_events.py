# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel netlink messages -> flat event dicts, and interface-name patterns.

Pure logic (no I/O) shared by the netlink event source for ansible-rulebook
(extensions/eda/plugins/event_source/netlink.py) and the interface_watch
watcher (roles/interface_watch), which both run outside Ansible: standard
library imports and the collection's own pure module_utils only. A message is
anything with pyroute2's message interface (``msg['field']``,
``msg.get_attr(NAME)``), so pyroute2 0.7 and 0.9 alike.

Every event has the keys of EVENT_KEYS (None where a kind has no such value),
so a rulebook condition never trips over a missing key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import ipaddress
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import route_from_msg
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import rule_from_msg

KINDS = ('link', 'address', 'route', 'rule')
IFF_UP = 0x1
IFF_LOWER_UP = 0x10000
IFNAMSIZ = 15
EVENT_KEYS = ('kind', 'action', 'namespace', 'ifname', 'index', 'state', 'admin_up', 'carrier', 'mtu', 'mac',
              'link_kind', 'addresses', 'address', 'family', 'dest', 'gateway', 'table', 'metric', 'priority',
              'src', 'dst', 'iif', 'oif', 'fwmark', 'route_type')
# Message types by kind: (new, deleted).
MESSAGES = {
    'link': ('RTM_NEWLINK', 'RTM_DELLINK'),
    'address': ('RTM_NEWADDR', 'RTM_DELADDR'),
    'route': ('RTM_NEWROUTE', 'RTM_DELROUTE'),
    'rule': ('RTM_NEWRULE', 'RTM_DELRULE'),
}
KIND_OF_MESSAGE = dict((name, kind) for kind, names in MESSAGES.items() for name in names)


class PatternError(ValueError):
    """A bad option value; the message names the option and the value."""


def check_patterns(option, patterns):
    """Validate a list of interface-name globs; returns them as a list.

    Refused: something other than a list of strings, an empty pattern, one
    longer than an interface name could match, one with '/', whitespace or
    a NUL (never in an interface name), and one with an unclosed '[' (fnmatch
    would silently match it literally)."""
    if isinstance(patterns, str) or not isinstance(patterns, (list, tuple)):
        raise PatternError("%s: value %r is not a list of interface-name globs" % (option, patterns))
    for pattern in patterns:
        reason = _pattern_problem(pattern)
        if reason:
            raise PatternError("%s: pattern %r %s" % (option, pattern, reason))
    return list(patterns)


def _pattern_problem(pattern):
    if not isinstance(pattern, str):
        return 'is not a string'
    if not pattern:
        return 'is empty'
    if any(ch.isspace() or ch in '/\0' for ch in pattern):
        return "contains '/', whitespace or NUL, which no interface name can hold"
    depth = 0
    for ch in pattern:
        if ch == '[':
            depth += 1
        elif ch == ']' and depth:
            depth -= 1
    if depth:
        return "has an unclosed '['"
    if '*' not in pattern and '[' not in pattern and len(pattern.encode('utf-8')) > IFNAMSIZ:
        return 'is longer than %d bytes, the longest interface name' % IFNAMSIZ
    return None


def name_matches(name, patterns):
    """True when name matches one of the globs; an empty list matches all."""
    if not patterns:
        return True
    return name is not None and any(fnmatch.fnmatchcase(name, p) for p in patterns)


def check_kinds(option, kinds):
    if isinstance(kinds, str) or not isinstance(kinds, (list, tuple)) or not kinds:
        raise PatternError("%s: value %r is not a non-empty list of %s" % (option, kinds, ', '.join(KINDS)))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PatternError("%s: value %r is not one of %s" % (option, unknown[0], ', '.join(KINDS)))
    return list(kinds)


def blank(kind, action, namespace):
    event = dict.fromkeys(EVENT_KEYS)
    event.update(kind=kind, action=action, namespace=namespace)
    return event


def _family(number):
    return {socket.AF_INET: 'ipv4', socket.AF_INET6: 'ipv6'}.get(number, str(number))


def link_kind(msg):
    info = msg.get_attr('IFLA_LINKINFO')
    return info.get_attr('IFLA_INFO_KIND') if info is not None else None


class NamespaceView(object):
    """What one namespace's event stream has told so far: interface names and
    addresses by index. Needed because address and route messages carry only
    an index, and 'new' vs 'changed' of a link is only known by remembering."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.names = {}
        self.addresses = {}

    def event(self, msg):
        """The event for one message, or None for one of no interest."""
        kind = KIND_OF_MESSAGE.get(msg.get('event'))
        if kind is None:
            return None
        deleted = msg.get('event') == MESSAGES[kind][1]
        return getattr(self, '_' + kind)(msg, deleted)

    def _link(self, msg, deleted):
        index = msg['index']
        if deleted:
            action = 'deleted'
            self.names.pop(index, None)
            addresses = self.addresses.pop(index, [])
        else:
            action = 'changed' if index in self.names else 'new'
            self.names[index] = msg.get_attr('IFLA_IFNAME')
            addresses = self.addresses.get(index, [])
        event = blank('link', action, self.namespace)
        flags = msg['flags']
        event.update(ifname=msg.get_attr('IFLA_IFNAME'), index=index, state=msg.get_attr('IFLA_OPERSTATE'),
                     admin_up=bool(flags & IFF_UP), carrier=bool(flags & IFF_LOWER_UP),
                     mtu=msg.get_attr('IFLA_MTU'), mac=msg.get_attr('IFLA_ADDRESS'), link_kind=link_kind(msg),
                     addresses=list(addresses))
        return event

    def _address(self, msg, deleted):
        index = msg['index']
        address = msg.get_attr('IFA_ADDRESS')
        if address is None:
            address = msg.get_attr('IFA_LOCAL')
        text = '%s/%d' % (ipaddress.ip_address(address), msg['prefixlen'])
        known = self.addresses.setdefault(index, [])
        if deleted and text in known:
            known.remove(text)
        elif not deleted and text not in known:
            known.append(text)
        event = blank('address', 'deleted' if deleted else 'new', self.namespace)
        event.update(ifname=self.names.get(index), index=index, address=text, family=_family(msg['family']),
                     addresses=list(known))
        return event

    def _route(self, msg, deleted):
        route = route_from_msg(msg, self.names)
        if route is None:
            return None
        event = blank('route', 'deleted' if deleted else 'new', self.namespace)
        event.update(ifname=route['dev'], family=route['family'], dest=route['dest'], gateway=route['gateway'],
                     table=route['table'], metric=route['metric'], route_type=route['type'])
        if route['dev'] is not None:
            event['index'] = next((i for i, n in self.names.items() if n == route['dev']), None)
        return event

    def _rule(self, msg, deleted):
        rule = rule_from_msg(msg)
        event = blank('rule', 'deleted' if deleted else 'new', self.namespace)
        event.update(family=rule.get('family'), priority=rule.get('priority'), table=rule.get('table'),
                     src=rule.get('src'), dst=rule.get('dst'), iif=rule.get('iif'), oif=rule.get('oif'),
                     fwmark=rule.get('fwmark'), ifname=rule.get('iif') or rule.get('oif'))
        return event


def wanted(event, kinds, patterns):
    """Does the event pass the kinds and interface-name filters? Events that
    name no interface (most rules, routes without a device) pass the name
    filter only when no pattern is set."""
    if event is None or event['kind'] not in kinds:
        return False
    return name_matches(event['ifname'], patterns)
