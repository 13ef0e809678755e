#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: veth
short_description: Manage a veth pair with each end in a network namespace
version_added: 0.1.0
description:
  - Creates a virtual Ethernet pair, the end O(name) in O(netns) and the end O(peer) in O(peer_netns).
    The peer is created directly inside its namespace (moving an interface afterwards costs time and
    wipes its addresses).
  - Brings both ends up, sets their MTU, and makes sure the listed addresses are present on each end.
  - An interface called O(name) that is not a veth, or a veth whose peer is not O(peer) in O(peer_netns),
    is reported as an error naming what was found; it is never deleted or changed.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - Name of the end that lives in O(netns). At most 15 bytes, no C(/), C(:) or white space.
    type: str
    required: true
  peer:
    description:
      - Name of the other end, which lives in O(peer_netns).
      - Required with O(state=present). With O(state=absent) it is only used to check that the pair
        being removed is the expected one.
    type: str
  peer_netns:
    description:
      - Namespace of the peer end. Defaults to O(netns) (both ends in the same namespace).
      - The empty string V("") means the namespace the module runs in (the host's), whatever O(netns) is.
    type: str
  address:
    description:
      - Addresses (CIDR, IPv4 or IPv6, for example V(10.0.0.1/24) or V(2001:db8::1/64)) that must be present
        on O(name). Other addresses are left alone; use M(linuxnet.plumbing.ip_address) with
        O(linuxnet.plumbing.ip_address#module:exclusive=true) to remove them.
    type: list
    elements: str
    default: []
  peer_address:
    description:
      - Addresses that must be present on O(peer).
    type: list
    elements: str
    default: []
  mtu:
    description:
      - MTU of both ends. When omitted, the MTU is not managed (new pairs get the kernel default, 1500).
    type: int
  state:
    description:
      - V(present) creates the pair and brings it to the described state, V(absent) deletes it
        (deleting one end deletes both).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: linuxnet.plumbing.netns
  - module: linuxnet.plumbing.ip_address
'''

EXAMPLES = r'''
- name: Connect ns1 and ns2 with a veth pair (IPv4 and IPv6)
  linuxnet.plumbing.veth:
    name: veth1
    netns: ns1
    peer: veth2
    peer_netns: ns2
    address: [10.0.0.1/24, 2001:db8::1/64]
    peer_address: [10.0.0.2/24, 2001:db8::2/64]

- name: Attach a namespace to a bridge in the host namespace (peer stays in the host)
  linuxnet.plumbing.veth:
    name: eth0
    netns: ns3
    peer: ns3-br
    peer_netns: ""
    address: [10.100.0.3/24]

- name: Remove the pair
  linuxnet.plumbing.veth:
    name: veth1
    netns: ns1
    state: absent
'''

RETURN = r'''
name:
  description: The end in O(netns), as it is after the run.
  returned: always
  type: dict
  sample: {name: veth1, netns: ns1, addresses: ["10.0.0.1/24"], mtu: 1500, up: true}
peer:
  description: The end in O(peer_netns), as it is after the run.
  returned: when O(state=present)
  type: dict
  sample: {name: veth2, netns: ns2, addresses: ["10.0.0.2/24"], mtu: 1500, up: true}
actions:
  description: The changes made (or, in check mode, that would be made), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create veth veth1 (ns1) <-> veth2 (ns2)", "bring up veth1", "add address 10.0.0.1/24 to veth1"]
diff:
  description: Both ends before and after.
  returned: when diff mode is on
  type: dict
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.addresses import (
    desired_addresses,
    plan_addresses,
    settled,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import ModuleFailure, new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink, close_fd, netns_fd
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import NamespaceError, netns_exists
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    check_ifname,
    check_netns_name,
    check_range,
)


def ns_label(netns):
    return "netns '%s'" % netns if netns else 'the current namespace'


def describe_peer(nl, link, nl_other=None, other_ns=None):
    """Words for what a veth end is actually paired with."""
    if link['link_netnsid'] is None:
        other = nl.link_by_index(link['link_index'])
        name = other['name'] if other else 'index %s' % link['link_index']
        return "'%s' in the same namespace" % name
    if nl_other is not None:
        # Indexes are per namespace: only trust a match that points back.
        other = nl_other.link_by_index(link['link_index'])
        if other and other['kind'] == 'veth' and other['link_index'] == link['index']:
            return "'%s' in %s" % (other['name'], ns_label(other_ns))
    return 'interface index %s in another namespace (nsid %s)' % (link['link_index'], link['link_netnsid'])


def check_pair(p, nl_a, nl_b, end_a, end_b):
    """Raise unless end_a/end_b (either may be None) are each other's peers."""
    name, peer, netns, peer_netns = p['name'], p['peer'], p['netns'], p['peer_netns']
    for end, ifname, ns in ((end_a, name, netns), (end_b, peer, peer_netns)):
        if end is not None and end['kind'] != 'veth':
            raise ModuleFailure("interface '%s' in %s already exists as a %s link, not a veth; refusing to touch it"
                                % (ifname, ns_label(ns), end['kind'] or 'physical'))
    if end_a is None and end_b is None:
        return False
    if end_a is None or end_b is None:
        present, missing = (end_a, 'peer') if end_b is None else (end_b, 'name')
        there = name if end_b is None else peer
        raise ModuleFailure("veth '%s' in %s exists but is paired with %s, not with '%s' (option %s) in %s"
                            % (there, ns_label(netns if end_b is None else peer_netns),
                               describe_peer(nl_a if end_b is None else nl_b, present,
                                             nl_b if end_b is None else nl_a, peer_netns if end_b is None else netns),
                               peer if end_b is None else name, missing,
                               ns_label(peer_netns if end_b is None else netns)))
    same_ns = netns == peer_netns
    paired = (end_a['link_index'] == end_b['index'] and end_b['link_index'] == end_a['index']
              and (end_a['link_netnsid'] is None) == same_ns)
    if not paired:
        raise ModuleFailure("veth '%s' in %s exists but is paired with %s, not with '%s' in %s"
                            % (name, ns_label(netns), describe_peer(nl_a, end_a, nl_b, peer_netns),
                               peer, ns_label(peer_netns)))
    return True


def create_pair(nl_a, name, peer, peer_netns, same_ns):
    peer_spec = {'ifname': peer}
    fd = None
    if not same_ns:
        fd = netns_fd(peer_netns)
        peer_spec['net_ns_fd'] = fd
    try:
        nl_a.add_link(ifname=name, kind='veth', peer=peer_spec)
    finally:
        close_fd(fd)


def set_attr(nl, ifname, **attrs):
    nl.set_link(nl.link(ifname)['index'], **attrs)


def end_state(nl, ifname, netns):
    link = nl.link(ifname)
    if link is None:
        return None
    return dict(name=ifname, netns=netns, up=link['up'], mtu=link['mtu'],
                addresses=sorted(a['address'] for a in nl.addresses(link['index'])))


def validate(p):
    check_ifname('name', p['name'])
    if p['state'] == 'present' and not p['peer']:
        raise ModuleFailure("option 'peer' is required with state=present")
    check_ifname('peer', p['peer'])
    check_netns_name('peer_netns', p['peer_netns'])
    if p['mtu'] is not None:
        check_range('mtu', p['mtu'], 68, 65535)
    desired_addresses(p['address'], 'address')
    desired_addresses(p['peer_address'], 'peer_address')
    if p['netns'] == p['peer_netns'] and p['name'] == p['peer']:
        raise ModuleFailure("options 'name' and 'peer' are both '%s' in one namespace" % p['name'])
    for option in ('netns', 'peer_netns'):
        if not netns_exists(p[option]):
            raise NamespaceError("option '%s': network namespace '%s' does not exist "
                                 "(create it first with linuxnet.plumbing.netns)" % (option, p[option]))


def plan(tracker, p, nl_a, nl_b):
    """Read both ends and record on TRACKER what brings them to P."""
    end_a = nl_a.link(p['name'])
    end_b = nl_b.link(p['peer']) if p['peer'] else None
    if p['state'] == 'absent':
        plan_absent(tracker, p, nl_a, nl_b, end_a, end_b)
        return
    exists = check_pair(p, nl_a, nl_b, end_a, end_b)
    tracker.compare('state', 'present' if exists else 'absent', 'present')
    if not exists:
        tracker.add("create veth %s (%s) <-> %s (%s)" % (p['name'], p['netns'] or '-', p['peer'], p['peer_netns'] or '-'),
                    create_pair, nl_a, p['name'], p['peer'], p['peer_netns'], p['netns'] == p['peer_netns'])
    for key, nl, end, ifname, option in (('name', nl_a, end_a, p['name'], 'address'),
                                         ('peer', nl_b, end_b, p['peer'], 'peer_address')):
        if p['mtu'] is not None:
            current_mtu = end['mtu'] if end else 1500
            if tracker.compare(key + '_mtu', current_mtu, p['mtu']):
                tracker.add('set mtu %d on %s' % (p['mtu'], ifname), set_attr, nl, ifname, mtu=p['mtu'])
        if tracker.compare(key + '_up', bool(end and end['up']), True):
            tracker.add('bring up %s' % ifname, set_attr, nl, ifname, state='up')
        plan_addresses(tracker, nl, end['index'] if end else None, ifname, p[option],
                       option=option, key=key + '_addresses')


def body(module):
    p = dict(module.params)
    if p['peer_netns'] is None:
        p['peer_netns'] = p['netns']
    elif p['peer_netns'] == '':
        p['peer_netns'] = None
    validate(p)
    tracker = DifferenceTracker()
    with Netlink(p['netns']) as nl_a, Netlink(p['peer_netns']) as nl_b:
        plan(tracker, p, nl_a, nl_b)
        tracker.apply(module.check_mode)

        def replan(again):
            plan(again, p, nl_a, nl_b)
            for key in ('name_addresses', 'peer_addresses'):
                if key in again.before:
                    again.before[key] = settled(again.before[key], tracker.after.get(key, []))

        # the kernel's reading becomes "after"; planning again from it must find nothing to do
        tracker.verify_by_replanning(replan)
        if p['state'] == 'absent':
            return tracker.result(name=dict(name=p['name'], netns=p['netns']))
        if module.check_mode:
            return tracker.result()
        return tracker.result(name=end_state(nl_a, p['name'], p['netns']), peer=end_state(nl_b, p['peer'], p['peer_netns']))


def plan_absent(tracker, p, nl_a, nl_b, end_a, end_b):
    if end_a is not None:
        if end_a['kind'] != 'veth':
            raise ModuleFailure("interface '%s' in %s is a %s link, not a veth; refusing to delete it"
                                % (p['name'], ns_label(p['netns']), end_a['kind'] or 'physical'))
        if p['peer']:
            check_pair(p, nl_a, nl_b, end_a, end_b)
        tracker.add('delete veth %s (%s)' % (p['name'], p['netns'] or '-'), nl_a.delete_link, end_a['index'])
    tracker.compare('state', 'present' if end_a else 'absent', 'absent')


def main():
    module = new_module(
        argument_spec=dict(
            name=dict(type='str', required=True),
            peer=dict(type='str'),
            peer_netns=dict(type='str'),
            address=dict(type='list', elements='str', default=[]),
            peer_address=dict(type='list', elements='str', default=[]),
            mtu=dict(type='int'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
