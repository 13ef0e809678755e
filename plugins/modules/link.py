#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: link
short_description: Manage macvlan, vxlan, vlan, bond, dummy and sit links, and the attributes of any link
version_added: 0.1.0
description:
  - Creates, changes and deletes network links of the kinds C(macvlan), C(vxlan), C(vlan), C(bond),
    C(dummy) and C(sit) (6in4 tunnels) in a network namespace, through netlink (pyroute2); no C(ip) command is run.
  - Changes the common attributes (MTU, up/down, MAC address, master) of an existing link of any kind,
    for example a veth end or a bridge, when O(kind) is omitted.
  - A link that already exists with the requested name but is of another kind is an error that names the
    kind found; such a link is never changed or deleted.
  - Whether the kernel supports O(kind) is checked before anything is changed, by creating a throwaway link
    of that kind in a private, anonymous network namespace that disappears right after; the target namespace
    is not touched. A kernel without the kind makes the module fail with
    C(this kernel does not support link kind KIND).
  - Every option is validated before any change, and errors name the option and the value.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - Name of the link, 1 to 15 bytes, without C(/), C(:) or whitespace.
    type: str
    required: true
  kind:
    description:
      - Kind of link to manage.
      - When omitted, the module only changes O(mtu), O(up), O(mac) and O(master) of an existing link of
        any kind (veth, bridge, physical, ...) and fails if no link called O(name) exists.
        Kind-specific options then cannot be used.
      - When given and a link called O(name) exists with another kind, the module fails and names the kind
        it found.
      - C(vlan), C(bond), C(dummy) and C(sit) need kernel support (modules C(8021q), C(bonding), C(dummy),
        C(sit)); a kernel without them makes the module fail before any change, naming the kind.
    type: str
    choices: [macvlan, vxlan, vlan, bond, dummy, sit]
  state:
    description:
      - V(present) creates the link if needed and makes its attributes match.
      - V(absent) deletes the link if it exists. O(kind) is required, and only a link of that kind is
        deleted; a link of another kind is an error.
    type: str
    choices: [present, absent]
    default: present
  parent:
    description:
      - The lower device in the same namespace.
      - Required for C(macvlan) and C(vlan) (the device they sit on); optional for C(vxlan) (the device the
        tunnel packets leave through, needed for a multicast O(group)).
      - It must exist; the module fails naming it otherwise.
      - It cannot be changed on an existing link, see O(recreate).
    type: str
  mode:
    description:
      - For C(macvlan) one of V(bridge), V(private), V(vepa), V(passthru), V(source).
        Can be changed on an existing link, except into or out of V(passthru) (see O(recreate)).
      - For C(bond) one of V(balance-rr), V(active-backup), V(balance-xor), V(broadcast), V(802.3ad),
        V(balance-tlb), V(balance-alb). Cannot be changed on an existing link, see O(recreate).
      - When omitted, a new link gets the kernel's default (V(vepa) for macvlan, V(balance-rr) for bond)
        and the mode of an existing link is not managed.
    type: str
    choices: [bridge, private, vepa, passthru, source, balance-rr, active-backup, balance-xor, broadcast,
              802.3ad, balance-tlb, balance-alb]
  vlan_id:
    description:
      - The 802.1Q VLAN ID of a C(vlan) link, 1 to 4094. Required for C(vlan).
      - Cannot be changed on an existing link, see O(recreate).
    type: int
  vni:
    description:
      - The VXLAN network identifier of a C(vxlan) link, 0 to 16777215. Required for C(vxlan).
      - Cannot be changed on an existing link, see O(recreate).
    type: int
  remote:
    description:
      - Unicast IPv4 or IPv6 address of the remote VXLAN endpoint (C(vxlan)), or the IPv4 address of the far
        end of a C(sit) tunnel (a tunnel broker's server).
      - Mutually exclusive with O(group). Cannot be changed on an existing link, see O(recreate).
    type: str
  group:
    description:
      - Multicast IPv4 or IPv6 group of the VXLAN segment (C(vxlan) only); usually needs O(parent).
      - Mutually exclusive with O(remote). Cannot be changed on an existing link, see O(recreate).
    type: str
  local:
    description:
      - Source IPv4 or IPv6 address of the tunnel packets (C(vxlan)); same address family as
        O(remote) or O(group). For C(sit), the local IPv4 address of the tunnel.
      - Cannot be changed on an existing link, see O(recreate).
    type: str
  dstport:
    description:
      - UDP destination port of a C(vxlan) link. V(4789) (the IANA port) when omitted, unlike the kernel's
        own default of 8472.
      - Cannot be changed on an existing link, see O(recreate).
    type: int
  ttl:
    description:
      - TTL of the outer IPv4 packets of a C(sit) tunnel, 0 to 255 (0 copies the inner hop limit).
      - Cannot be changed on an existing link, see O(recreate).
    type: int
  mtu:
    description:
      - MTU of the link, 68 to 65535. Not managed when omitted.
      - A macvlan or vlan cannot have a larger MTU than its parent; the kernel refuses it.
    type: int
  up:
    description:
      - V(true) brings the link up, V(false) sets it down.
      - When omitted, a link this module creates is brought up, and the up/down state of an existing link
        is left alone.
    type: bool
  mac:
    description:
      - Unicast MAC address of the link, six hex octets such as V(02:00:00:00:00:01).
      - When omitted, a new link gets one from the kernel and the address of an existing link is not managed.
    type: str
  master:
    description:
      - Name of a bridge or bond (in the same namespace) to enslave the link to; it must exist.
      - The empty string V("") releases the link from any master.
      - When omitted, the master of the link is not managed.
    type: str
  recreate:
    description:
      - What to do when an existing link of O(kind) differs in an attribute the kernel cannot change on a
        live link (O(parent), O(vni), O(remote), O(group), O(local), O(dstport), O(ttl), O(vlan_id), a bond O(mode),
        a macvlan O(mode) into or out of V(passthru)).
      - V(false) fails with a message that lists each difference; nothing is changed.
      - V(true) deletes the link and creates it again with the requested attributes. Addresses, routes and
        ports of the old link are lost (a bond loses its slaves).
    type: bool
    default: false
notes:
  - The link is created directly inside O(netns); O(parent) and O(master) are looked up in that namespace.
  - To give addresses to the link, use M(linuxnet.plumbing.ip_address).
  - Veth pairs and bridges have their own modules, M(linuxnet.plumbing.veth) and M(linuxnet.plumbing.bridge);
    this module changes their common attributes when O(kind) is omitted.
seealso:
  - module: linuxnet.plumbing.veth
  - module: linuxnet.plumbing.bridge
  - module: linuxnet.plumbing.ip_address
'''

EXAMPLES = r'''
- name: Give namespace ns1 a macvlan on its eth0 with a MAC address of its own
  linuxnet.plumbing.link:
    name: mv0
    netns: ns1
    kind: macvlan
    parent: eth0
    mode: bridge

- name: Build a VXLAN tunnel to a remote endpoint, enslaved to bridge br0
  linuxnet.plumbing.link:
    name: vx42
    netns: ns1
    kind: vxlan
    vni: 42
    local: 192.0.2.1
    remote: 192.0.2.2
    dstport: 4789
    master: br0
    mtu: 1450

- name: Build a VXLAN tunnel over IPv6
  linuxnet.plumbing.link:
    name: vx6
    kind: vxlan
    vni: 4242
    local: 2001:db8::1
    remote: 2001:db8::2

- name: Move a VXLAN to another VNI (deletes and creates the link again)
  linuxnet.plumbing.link:
    name: vx42
    netns: ns1
    kind: vxlan
    vni: 43
    remote: 192.0.2.2
    recreate: true

- name: VLAN 100 on eth0 (where the kernel has 802.1Q support)
  linuxnet.plumbing.link:
    name: eth0.100
    kind: vlan
    parent: eth0
    vlan_id: 100

- name: A 6in4 tunnel to a tunnel broker (where the kernel has sit)
  linuxnet.plumbing.link:
    name: he-ipv6
    netns: gw
    kind: sit
    local: 192.0.2.10
    remote: 203.0.113.1
    ttl: 64

- name: Lower the MTU of an existing veth end and put it into bridge br0
  linuxnet.plumbing.link:
    name: veth1
    netns: ns1
    mtu: 1400
    master: br0
    up: true

- name: Release veth1 from its bridge
  linuxnet.plumbing.link:
    name: veth1
    netns: ns1
    master: ""

- name: Delete the macvlan
  linuxnet.plumbing.link:
    name: mv0
    netns: ns1
    kind: macvlan
    state: absent
'''

RETURN = r'''
link:
  description:
    - The link after the run (in check mode, as the run would leave it); for O(state=absent) only
      C(name), C(netns) and C(state).
    - Kind-specific keys appear for the kinds they belong to.
  returned: always
  type: dict
  sample:
    name: vx42
    netns: ns1
    state: present
    kind: vxlan
    mtu: 1450
    up: true
    master: br0
    mac: "2e:4f:0a:12:9c:01"
    parent: null
    vni: 42
    remote: 192.0.2.2
    group: null
    local: 192.0.2.1
    dstport: 4789
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample:
    - "create link vx42 (kind vxlan)"
    - "set master of vx42 to br0"
    - "set vx42 up"
diff:
  description: The link before and after, as dictionaries (also without diff mode).
  returned: always
  type: dict
  sample:
    before: {state: absent, name: vx42}
    after: {state: present, name: vx42, kind: vxlan, vni: 42, remote: 192.0.2.2, dstport: 4789, up: true}
'''

import copy

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.links import (
    KINDS,
    SPEC_KEYS,
    change_kwargs,
    check_mac,
    check_mtu,
    compare_spec,
    create_kwargs,
    current_spec,
    describe_differences,
    describe_kind,
    desired_spec,
    unsupported_message,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import (
    kernel_supports,
    Netlink,
    NetlinkError,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
)

ALL_MODES = ['bridge', 'private', 'vepa', 'passthru', 'source', 'balance-rr', 'active-backup',
             'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb']

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    kind=dict(type='str', choices=list(KINDS)),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    parent=dict(type='str'),
    mode=dict(type='str', choices=ALL_MODES),
    vlan_id=dict(type='int'),
    vni=dict(type='int'),
    remote=dict(type='str'),
    group=dict(type='str'),
    local=dict(type='str'),
    dstport=dict(type='int'),
    ttl=dict(type='int'),
    mtu=dict(type='int'),
    up=dict(type='bool'),
    mac=dict(type='str'),
    master=dict(type='str'),
    recreate=dict(type='bool', default=False),
)


def where(netns):
    return "network namespace '%s'" % netns if netns else 'the current network namespace'


def view(link, names, netns):
    """A link reading as the module shows it (diff, return value)."""
    out = dict(name=link['name'], netns=netns, state='present', kind=link['kind'], mtu=link['mtu'],
               up=link['up'], master=link['master'], mac=link['mac'])
    spec = current_spec(link, names)
    for key in SPEC_KEYS:
        if key in spec:
            out[key] = spec[key]
    return out


class Plan(object):
    """Desired state of one link, compared against one reading."""

    def __init__(self, module):
        self.module = module
        self.nl = None
        self.params = module.params
        self.netns = self.params['netns']

    # -- validation (no side effects) ------------------------------------------

    def validate(self):
        p = self.params
        self.name = check_ifname('name', p['name'])
        self.kind = p['kind']
        self.state = p['state']
        if self.state == 'absent' and self.kind is None:
            raise ValidationError('kind', None, 'is required with state=absent, so that only a link of that kind is ever deleted')
        self.mtu = check_mtu('mtu', p['mtu'])
        self.mac = check_mac('mac', p['mac'])
        self.master = p['master']
        if self.master:
            check_ifname('master', self.master)
            if self.master == self.name:
                raise ValidationError('master', self.master, 'is the link itself')
        self.spec = desired_spec(p)

    # -- planning ------------------------------------------------------------------

    def read(self):
        links = self.nl.links()
        self.names = dict((item['index'], item['name']) for item in links)
        self.by_name = dict((item['name'], item) for item in links)
        self.current = self.by_name.get(self.name)

    def require_existing(self, option, value):
        if value not in self.by_name:
            raise ValidationError(option, value, 'does not exist in %s' % where(self.netns))
        return self.by_name[value]['index']

    def check_kind_supported(self):
        supported, detail = kernel_supports(self.kind)
        if supported is False:
            raise ValidationError('kind', self.kind, unsupported_message(self.kind, detail))

    def plan(self, tracker):
        if self.current is not None and self.kind is not None and self.current['kind'] != self.kind:
            raise ValidationError('name', self.name, 'is an existing link in %s of %s, not of kind %s; it is left alone '
                                  '(never changed or deleted): choose another name or remove that link first'
                                  % (where(self.netns), describe_kind(self.current['kind']), self.kind))
        if self.state == 'absent':
            return self.plan_absent(tracker)
        if self.master:
            self.require_existing('master', self.master)
        if self.spec.get('parent') is not None:
            self.require_existing('parent', self.spec['parent'])
        if self.current is None:
            if self.kind is None:
                raise ValidationError('name', self.name, 'does not exist in %s; give option kind to create it' % where(self.netns))
            self.check_kind_supported()
            return self.plan_create(tracker)
        return self.plan_change(tracker)

    def plan_absent(self, tracker):
        after = dict(name=self.name, netns=self.netns, state='absent')
        if self.current is None:
            tracker.before = dict(after)
            tracker.after = dict(after)
            return after
        tracker.before = view(self.current, self.names, self.netns)
        tracker.after = dict(after)
        tracker.add('delete link %s (kind %s)' % (self.name, self.kind), self.nl.delete_link, self.current['index'])
        return after

    def desired_common(self):
        want = {}
        if self.mtu is not None:
            want['mtu'] = self.mtu
        if self.mac is not None:
            want['mac'] = self.mac
        if self.master is not None:
            want['master'] = self.master or None
        if self.params['up'] is not None:
            want['up'] = self.params['up']
        return want

    def plan_create(self, tracker, reason=None):
        after = dict(name=self.name, netns=self.netns, state='present', kind=self.kind, up=True, master=None)
        after.update(current_spec(dict(kind=self.kind), {}))  # the kind's keys, unset
        after.update(self.spec)
        after.update(self.desired_common())
        if reason is None:
            tracker.before = dict(name=self.name, netns=self.netns, state='absent')
        tracker.after = after
        parent = self.spec.get('parent')
        kwargs = create_kwargs(self.kind, self.name, self.spec,
                               parent_index=self.by_name[parent]['index'] if parent else None,
                               mtu=self.mtu, mac=self.mac)
        tracker.add('create link %s (kind %s)%s' % (self.name, self.kind, reason or ''), self._create, kwargs)
        if after.get('master'):
            tracker.add('set master of %s to %s' % (self.name, after['master']), self._set_by_name, master=after['master'])
        if after['up']:
            tracker.add('set %s up' % self.name, self._set_by_name, state='up')
        return after

    def plan_change(self, tracker):
        cur = self.current
        before = view(cur, self.names, self.netns)
        tracker.before = before
        if self.kind is not None:
            mutable, immutable = compare_spec(self.kind, before, self.spec)
            if immutable:
                text = describe_differences(immutable)
                if not self.params['recreate']:
                    raise ModuleFailure(
                        "link '%s' (kind %s) in %s differs in what the kernel cannot change on a live link: %s; "
                        "set recreate=true to delete and create it again" % (self.name, self.kind, where(self.netns), text),
                        differences=[dict(attribute=k, current=c, desired=d) for k, c, d in immutable])
                tracker.add('delete link %s (kind %s) to create it again: %s' % (self.name, self.kind, text),
                            self.nl.delete_link, cur['index'])
                return self.plan_create(tracker, reason=' again')
        else:
            mutable = []
        want = self.desired_common()
        after = copy.deepcopy(before)
        after.update(self.spec)
        after.update(want)
        tracker.after = after
        index = cur['index']
        if want.get('up') is False and cur['up']:
            tracker.add('set %s down' % self.name, self.nl.set_up, index, False)
        if 'mtu' in want and want['mtu'] != cur['mtu']:
            tracker.add('set mtu of %s to %s (was %s)' % (self.name, want['mtu'], cur['mtu']),
                        self.nl.set_link, index, mtu=want['mtu'])
        if 'mac' in want and want['mac'] != (cur['mac'] or '').lower():
            tracker.add('set mac of %s to %s (was %s)' % (self.name, want['mac'], cur['mac']),
                        self.nl.set_link, index, address=want['mac'])
        for key, have, value in mutable:
            tracker.add('set %s of %s to %s (was %s)' % (key, self.name, value, have),
                        self.nl.set_link, index, **change_kwargs(self.kind, key, value))
        if 'master' in want and want['master'] != cur['master']:
            if want['master']:
                tracker.add('set master of %s to %s (was %s)' % (self.name, want['master'], cur['master'] or 'none'),
                            self._set_by_name, master=want['master'])
            else:
                tracker.add('release %s from master %s' % (self.name, cur['master']),
                            self.nl.set_link, index, master=0)
        if want.get('up') is True and not cur['up']:
            tracker.add('set %s up' % self.name, self.nl.set_up, index, True)
        return after

    # -- actions ---------------------------------------------------------------------

    def _create(self, kwargs):
        try:
            self.nl.add_link(**kwargs)
        except NetlinkError as exc:
            if getattr(exc, 'code', None) == 95:  # EOPNOTSUPP: the kind is unknown after all
                raise ValidationError('kind', self.kind, unsupported_message(self.kind, 'the kernel answered "Operation not supported"'))
            raise

    def _index(self, name):
        item = self.nl.link(name)
        if item is None:
            raise ModuleFailure("link '%s' vanished from %s during the run" % (name, where(self.netns)))
        return item['index']

    def _set_by_name(self, master=None, state=None):
        index = self._index(self.name)
        if master is not None:
            self.nl.set_link(index, master=self._index(master))
        if state is not None:
            self.nl.set_up(index, state == 'up')


def body(module):
    plan = Plan(module)
    plan.validate()  # every option checked before the namespace is even opened
    with Netlink(module.params['netns']) as nl:
        plan.nl = nl
        plan.read()
        tracker = DifferenceTracker()
        plan.plan(tracker)
        tracker.apply(module.check_mode)

        def replan(again):
            plan.read()
            plan.plan(again)

        # the kernel's reading becomes "after"; planning again from it must find nothing to do
        link = tracker.verify_by_replanning(replan)
        return tracker.result(link=link)


def main():
    module = new_module(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[('remote', 'group')])
    run_module(module, body)


if __name__ == '__main__':
    main()
