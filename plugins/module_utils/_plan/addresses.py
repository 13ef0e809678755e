# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address reconciliation for one interface, shared by bridge, ip_address and veth.

``plan_addresses`` compares the addresses an interface has with the ones the
user asked for and queues the add/remove actions on a DifferenceTracker. The
actions look the interface up by name when they run if its index is not known
yet, so a module can plan addresses for an interface it is about to create.

Rules:

* Addresses are compared in canonical form (``2001:DB8::1/64`` equals
  ``2001:db8::1/64``); an address is the pair IP + prefix length.
* ``state=present`` adds the missing ones; with ``exclusive`` it also removes
  every other address except IPv6 link-local ones (``fe80::/10``) that are
  not listed.
* The kernel keeps one IPv6 address per interface regardless of prefix
  length, so an IPv6 address present with another prefix length than the
  one asked for is removed first and then added with the new length.
* ``state=absent`` removes the listed ones that are present.
* Removing a primary IPv4 address makes the kernel drop the secondary
  addresses of the same subnet (unless ``promote_secondaries`` is set); the
  removal action puts back every address that was meant to stay.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.errors import ModuleFailure
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    parse_interface_address,
)


def canonical_addresses(values, option, family=None):
    """User CIDRs -> sorted list of canonical 'IP/LEN' strings (validated)."""
    out = []
    for value in values or []:
        iface = parse_interface_address(option, value, family)
        text = '%s/%d' % (iface.ip.compressed, iface.network.prefixlen)
        if text not in out:
            out.append(text)
    return sorted(out)


def is_link_local6(address):
    iface = ipaddress.ip_interface(address)
    return iface.version == 6 and iface.ip.is_link_local


def _sort_key(text):
    iface = ipaddress.ip_interface(text)
    return (iface.version, int(iface.ip), iface.network.prefixlen)


def sort_addresses(addresses):
    """Canonical 'IP/LEN' strings, duplicates dropped, IPv4 first, numeric order."""
    return sorted(set(addresses), key=_sort_key)


def desired_addresses(values, option='address'):
    """Validate and canonicalise a user's list of CIDRs.

    Raises ValidationError (naming ``option`` and the value) for a malformed
    CIDR, a missing prefix length, or one IPv6 address listed with two prefix
    lengths (the kernel cannot hold both).
    """
    out = canonical_addresses(values, option)
    seen6 = {}
    for text in out:
        iface = ipaddress.ip_interface(text)
        if iface.version != 6:
            continue
        other = seen6.get(iface.ip)
        if other is not None:
            raise ValidationError(option, text, 'repeats the IPv6 address of %s with another prefix length; '
                                  'an interface holds an IPv6 address only once' % other)
        seen6[iface.ip] = text
    return sort_addresses(out)


def current_addresses(nl, index):
    """The interface's addresses as canonical 'IP/LEN' strings ([] for index None)."""
    if index is None:
        return []
    return sort_addresses(a['address'] for a in nl.addresses(index))


def settled(reading, planned):
    """READING without the IPv6 link-local addresses that PLANNED lacks: the
    kernel adds one by itself when a link comes up, some time later, so that a
    reading right after the run may or may not hold it and no plan can."""
    return [a for a in reading if a in planned or not is_link_local6(a)]


def _resolve(nl, index, ifname):
    if index is not None:
        return index
    link = nl.link(ifname)
    if link is None:
        raise ModuleFailure('interface %s disappeared before its addresses could be set' % ifname)
    return link['index']


def _add(nl, index, ifname, address):
    nl.add_address(_resolve(nl, index, ifname), ipaddress.ip_interface(address))


def _remove(nl, index, ifname, address, keep):
    idx = _resolve(nl, index, ifname)
    nl.delete_address(idx, ipaddress.ip_interface(address), missing_ok=True)
    present = set(current_addresses(nl, idx))
    for text in keep:
        if text not in present:
            nl.add_address(idx, ipaddress.ip_interface(text))


def plan_addresses(tracker, nl, index, ifname, desired, exclusive=False, state='present',
                   option='address', key='addresses'):
    """Queue the actions that bring the addresses of one interface to the desired list.

    tracker   DifferenceTracker; ``tracker.compare(key, before, after)`` is recorded.
    nl        Netlink for the namespace the interface lives in (or will live in).
    index     the interface's index, or None when it does not exist yet (check
              mode, or created by an earlier queued action): the current list
              is then empty and the actions look the index up by ``ifname``.
    ifname    the interface's name (for action descriptions and late lookup).
    desired   the user's list of CIDRs (validated and canonicalised here too;
              errors name ``option``).
    exclusive remove addresses not listed (IPv6 link-local ones are kept).
    state     'present' (ensure listed ones are there) or 'absent' (ensure the
              listed ones are not).

    Returns a dict: before, after (sorted canonical lists), add, remove
    (the addresses the queued actions add and remove, in action order).
    """
    wanted = desired_addresses(desired, option)
    current = current_addresses(nl, index)
    if state == 'absent':
        remove = [a for a in current if a in wanted]
        add = []
    else:
        add = [a for a in wanted if a not in current]
        if exclusive:
            remove = [a for a in current if a not in wanted and not is_link_local6(a)]
        else:
            remove = []
        blocked = set(ipaddress.ip_interface(a).ip for a in add if ipaddress.ip_interface(a).version == 6)
        for text in current:
            iface = ipaddress.ip_interface(text)
            if iface.version == 6 and iface.ip in blocked and text not in remove:
                remove.append(text)
        remove = sort_addresses(remove)
    after = sort_addresses([a for a in current if a not in remove] + add)
    tracker.compare(key, current, after)
    keep = [a for a in current if a not in remove]
    for text in remove:
        tracker.add('remove address %s from %s' % (text, ifname), _remove, nl, index, ifname, text, keep)
    for text in add:
        tracker.add('add address %s to %s' % (text, ifname), _add, nl, index, ifname, text)
    return dict(before=current, after=after, add=add, remove=remove)
