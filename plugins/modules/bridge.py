#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bridge
short_description: Manage a Linux bridge, its ports and its addresses in a network namespace
version_added: 0.1.0
description:
  - Creates or deletes a Linux bridge (a virtual switch) in the current network namespace or in a named one,
    attaches ports to it, sets its addresses and Spanning Tree Protocol, and brings it up.
  - Works over netlink (pyroute2); no C(ip) or C(brctl) command is run.
  - An existing link with the name O(name) that is not a bridge is an error naming the kind found;
    it is never deleted or changed.
options:
  name:
    description:
      - Name of the bridge, 1 to 15 bytes, without C(/), C(:) or whitespace.
    type: str
    required: true
  ports:
    description:
      - Names of existing interfaces in O(netns) (veth ends, for example) to attach to the bridge.
      - When given, this is the exact set of ports. Listed interfaces are attached and brought up, and
        ports attached to the bridge but not listed are detached. Detached ports are released, not deleted
        (they stay in the namespace, with their addresses and up/down state). Removing a name from the
        list is how a namespace whose veth end is on the bridge is disconnected from it.
      - An empty list detaches every port.
      - A listed interface attached to another bridge (or any other master) is moved to this bridge;
        the move shows in the diff and in RV(actions).
      - When omitted, the ports are not managed.
      - Every listed interface must exist before the module changes anything; a missing one is an error
        naming the option and the interface.
    type: list
    elements: str
  address:
    description:
      - Addresses with prefix length to ensure on the bridge, IPv4 and IPv6 mixed,
        for example C(10.100.0.1/24) or C(2001:db8:100::1/64).
      - Additive; addresses on the bridge that are not listed are left alone.
        Use M(linuxnet.plumbing.ip_address) with O(linuxnet.plumbing.ip_address#module:exclusive=true)
        to remove them.
      - An IPv6 address present with another prefix length is replaced.
    type: list
    elements: str
    default: []
  stp:
    description:
      - Whether the Spanning Tree Protocol is enabled on the bridge (kernel STP, C(IFLA_BR_STP_STATE)).
      - When omitted, a new bridge gets the kernel default (off) and an existing bridge keeps its setting.
    type: bool
  state:
    description:
      - V(present) creates the bridge when missing, applies the options and brings it up.
      - V(absent) deletes the bridge. Its ports survive, detached. O(ports), O(address) and O(stp) are
        ignored.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
seealso:
  - module: linuxnet.plumbing.veth
  - module: linuxnet.plumbing.ip_address
  - module: linuxnet.plumbing.link
author:
  - linuxnet.plumbing developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Create bridge br0 in namespace lab with three veth ends as ports
  linuxnet.plumbing.bridge:
    netns: lab
    name: br0
    ports:
      - veth-ns1-br
      - veth-ns2-br
      - veth-ns3-br
    address:
      - 10.100.0.1/24
      - 2001:db8:100::1/64

- name: Disconnect ns3 from the switch (veth-ns3-br is detached, not deleted)
  linuxnet.plumbing.bridge:
    netns: lab
    name: br0
    ports:
      - veth-ns1-br
      - veth-ns2-br

- name: Turn on the Spanning Tree Protocol, leaving the ports as they are
  linuxnet.plumbing.bridge:
    netns: lab
    name: br0
    stp: true

- name: Delete the bridge (its ports survive, detached)
  linuxnet.plumbing.bridge:
    netns: lab
    name: br0
    state: absent
'''

RETURN = r'''
name:
  description: The bridge's name.
  returned: success
  type: str
  sample: br0
state:
  description: V(present) or V(absent), after the run (predicted in check mode).
  returned: success
  type: str
  sample: present
ports:
  description: The ports attached to the bridge after the run (predicted in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: ['veth-ns1-br', 'veth-ns2-br']
addresses:
  description:
    - The bridge's addresses after the run (predicted in check mode), canonical, IPv4 first.
    - Includes addresses the module does not manage, such as the IPv6 link-local one.
  returned: success
  type: list
  elements: str
  sample: ['10.100.0.1/24', '2001:db8:100::1/64']
stp:
  description: Whether STP is on after the run (predicted in check mode). V(null) when the bridge is absent.
  returned: success
  type: bool
  sample: false
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: success
  type: list
  elements: str
  sample:
    - create bridge br0
    - attach port veth-ns1-br to br0
    - bring port veth-ns1-br up
    - bring bridge br0 up
    - add address 10.100.0.1/24 to br0
diff:
  description:
    - The bridge before and after, as dictionaries.
    - C(port_state) maps each listed or attached port to its master and up state, which shows ports
      attached, detached and moved from another master.
  returned: success
  type: dict
  contains:
    before:
      description: State before the run.
      type: dict
      returned: success
      sample:
        state: present
        up: true
        stp: false
        ports: [veth-ns3-br]
        port_state: {veth-ns1-br: {master: br9, up: false}, veth-ns3-br: {master: br0, up: true}}
        addresses: []
    after:
      description: State after the run (predicted in check mode).
      type: dict
      returned: success
      sample:
        state: present
        up: true
        stp: false
        ports: [veth-ns1-br]
        port_state: {veth-ns1-br: {master: br0, up: true}, veth-ns3-br: {master: null, up: true}}
        addresses: [10.100.0.1/24]
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.addresses import (
    current_addresses,
    desired_addresses,
    plan_addresses,
    settled,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.diff import DifferenceTracker
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import Netlink
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import (
    ValidationError,
    check_ifname,
)


def _where(netns):
    return "namespace '%s'" % netns if netns else 'the current namespace'


def _index(nl, name):
    link = nl.link(name)
    if link is None:
        raise ValidationError('name', name, 'disappeared while the module was changing it')
    return link['index']


def _create(nl, name):
    nl.add_link(ifname=name, kind='bridge')


def _set_stp(nl, name, on):
    nl.set_link(_index(nl, name), kind='bridge', br_stp_state=1 if on else 0)


def _set_master(nl, port, bridge):
    master = _index(nl, bridge) if bridge else 0
    nl.set_link(_index(nl, port), master=master)


def _set_up(nl, name):
    nl.set_up(_index(nl, name))


def _stp_of(link):
    return bool(link['info_data'].get('IFLA_BR_STP_STATE'))


def _validate_ports(ports, name, links, netns):
    """Every listed port exists, can be a bridge port, and is not the bridge."""
    by_name = dict((link['name'], link) for link in links)
    for port in ports:
        if port == name:
            raise ValidationError('ports', port, 'is the bridge itself; a bridge cannot be its own port')
        link = by_name.get(port)
        if link is None:
            raise ValidationError('ports', port, 'is not an interface in %s; create it first '
                                  '(for example with linuxnet.plumbing.veth)' % _where(netns))
        if port == 'lo':
            raise ValidationError('ports', port, 'is the loopback interface, which cannot be a bridge port')
        if link['kind'] == 'bridge':
            raise ValidationError('ports', port, 'is a bridge; the kernel does not attach a bridge to a bridge')


def _plan_ports(tracker, nl, name, ports, links, also=()):
    """Exact set of ports: attach/move the listed ones, detach the others, bring listed ones up.
    ALSO: more interfaces whose master and state to show (those of the first plan, when planning again)."""
    by_name = dict((link['name'], link) for link in links)
    attached = sorted(link['name'] for link in links if link['master'] == name and link['name'] != name)
    if ports is None:
        tracker.compare('ports', attached, attached)
        return attached
    wanted = sorted(set(ports))
    before, after = {}, {}
    for port in sorted(set(wanted) | set(attached) | set(p for p in also if p in by_name)):
        link = by_name[port]
        before[port] = dict(master=link['master'], up=link['up'])
        after[port] = dict(master=name if port in wanted else None,
                           up=True if port in wanted else link['up'])
    tracker.compare('ports', attached, wanted)
    tracker.compare('port_state', before, after)
    for port in attached:
        if port not in wanted:
            tracker.add('detach port %s from %s' % (port, name), _set_master, nl, port, None)
    for port in wanted:
        current = before[port]['master']
        if current is None:
            tracker.add('attach port %s to %s' % (port, name), _set_master, nl, port, name)
        elif current != name:
            tracker.add('move port %s from %s to %s' % (port, current, name), _set_master, nl, port, name)
    for port in wanted:
        if not before[port]['up']:
            tracker.add('bring port %s up' % port, _set_up, nl, port)
    return wanted


def _plan_absent(tracker, nl, name, link, links):
    tracker.after['state'] = 'absent'
    if link is None:
        tracker.before['state'] = 'absent'
        return
    tracker.before.update(
        state='present', up=link['up'], stp=_stp_of(link),
        ports=sorted(item['name'] for item in links if item['master'] == name and item['name'] != name),
        addresses=current_addresses(nl, link['index']),
    )
    tracker.add('delete bridge %s' % name, nl.delete_link, link['index'])


def plan(tracker, nl, params, name, ports, also=()):
    """Read the bridge and record on TRACKER what brings it to PARAMS; -> the
    result's ports, addresses and stp as they will be (None for absent)."""
    netns = params['netns']
    stp = params['stp']
    links = nl.links()
    link = None
    for item in links:
        if item['name'] == name:
            link = item
    if link is not None and link['kind'] != 'bridge':
        raise ValidationError('name', name, "is an existing link of kind '%s' in %s, not a bridge; "
                              "it is left alone" % (link['kind'] or 'unknown', _where(netns)))

    if params['state'] == 'absent':
        _plan_absent(tracker, nl, name, link, links)
        return None

    if ports is not None:
        _validate_ports(ports, name, links, netns)

    exists = link is not None
    tracker.compare('state', 'present' if exists else 'absent', 'present')
    if not exists:
        tracker.add('create bridge %s' % name, _create, nl, name)

    current_stp = _stp_of(link) if exists else False
    wanted_stp = current_stp if stp is None else stp
    if tracker.compare('stp', current_stp, wanted_stp):
        tracker.add('%s STP on %s' % ('enable' if wanted_stp else 'disable', name), _set_stp, nl, name, wanted_stp)

    final_ports = _plan_ports(tracker, nl, name, ports, links, also)

    # Up before the addresses: IPv6 addresses are flushed when a link goes down.
    if tracker.compare('up', exists and link['up'], True):
        tracker.add('bring bridge %s up' % name, _set_up, nl, name)

    addresses = plan_addresses(tracker, nl, link['index'] if exists else None, name, params['address'],
                               option='address', key='addresses')
    return dict(ports=final_ports, addresses=addresses['after'], stp=wanted_stp)


def body(module):
    params = module.params
    name = check_ifname('name', params['name'])
    ports = params['ports']
    if ports is not None:
        ports = [check_ifname('ports', port) for port in ports]
    desired_addresses(params['address'], 'address')

    tracker = DifferenceTracker()
    with Netlink(params['netns']) as nl:
        planned = plan(tracker, nl, params, name, ports)
        tracker.apply(module.check_mode)
        read = {}

        def replan(again):
            read.update(plan(again, nl, params, name, ports, also=tracker.after.get('port_state', {})) or {})
            if read:
                read['addresses'] = again.before['addresses'] = settled(again.before['addresses'],
                                                                        tracker.after['addresses'])

        # the kernel's reading becomes "after"; planning again from it must find nothing to do
        tracker.verify_by_replanning(replan)
    if params['state'] == 'absent':
        return tracker.result(name=name, state='absent', ports=[], addresses=[], stp=None)
    return tracker.result(name=name, state='present', **(read or planned))


def main():
    module = new_module(argument_spec=dict(
        name=dict(type='str', required=True),
        ports=dict(type='list', elements='str'),
        address=dict(type='list', elements='str', default=[]),
        stp=dict(type='bool'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    ))
    run_module(module, body)


if __name__ == '__main__':
    main()
