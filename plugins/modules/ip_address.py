#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ip_address
short_description: Manage the IP addresses of a network interface in a network namespace
version_added: 0.1.0
description:
  - Ensures IPv4 and IPv6 addresses are present on (or absent from) an existing network
    interface, in the current network namespace or in a named one.
  - Works over netlink (pyroute2); no C(ip) command is run.
  - Addresses are compared in canonical form, so C(2001:DB8::1/64) and C(2001:db8::1/64) are the same
    address. An address is the IP together with its prefix length.
  - An interface holds an IPv6 address only once. When an IPv6 address is present with another prefix
    length than the one listed, it is replaced (removed, then added with the listed length).
  - Removing a primary IPv4 address makes the kernel drop the secondary addresses of the same subnet
    (unless C(net.ipv4.conf.*.promote_secondaries) is set); the module puts back every address that is
    meant to stay.
  - The module does not bring the interface up or down; see M(linuxnet.plumbing.link).
options:
  dev:
    description:
      - Name of the interface whose addresses are managed. It must already exist in O(netns).
      - 1 to 15 bytes, without C(/), C(:) or whitespace.
    type: str
    required: true
  address:
    description:
      - Addresses with prefix length, IPv4 and IPv6 mixed, for example C(192.0.2.1/24) or C(2001:db8::1/64).
      - An address without prefix length is refused (it would silently become a /32 or /128).
      - With O(exclusive=true) and O(state=present), an empty list removes every address except the IPv6
        link-local ones.
    type: list
    elements: str
    required: true
  exclusive:
    description:
      - When V(true), addresses on O(dev) that are not listed in O(address) are removed, except IPv6
        link-local addresses (C(fe80::/10)) which are kept unless listed.
      - When V(false), addresses not listed are left alone.
      - Only with O(state=present).
    type: bool
    default: false
  state:
    description:
      - V(present) ensures every listed address is on O(dev).
      - V(absent) ensures none of the listed addresses is on O(dev) (addresses not listed are left alone).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
seealso:
  - module: linuxnet.plumbing.bridge
  - module: linuxnet.plumbing.veth
  - module: linuxnet.plumbing.link
author:
  - linuxnet.plumbing developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Give veth0 in namespace ns1 an IPv4 and an IPv6 address
  linuxnet.plumbing.ip_address:
    netns: ns1
    dev: veth0
    address:
      - 192.0.2.10/24
      - 2001:db8:10::10/64

- name: Make these the only addresses of br0 (IPv6 link-local addresses stay)
  linuxnet.plumbing.ip_address:
    netns: lab
    dev: br0
    address:
      - 10.100.0.1/24
    exclusive: true

- name: Remove every address of veth1 except the IPv6 link-local one
  linuxnet.plumbing.ip_address:
    netns: ns2
    dev: veth1
    address: []
    exclusive: true

- name: Remove one address
  linuxnet.plumbing.ip_address:
    netns: ns1
    dev: veth0
    address:
      - 192.0.2.10/24
    state: absent
'''

RETURN = r'''
dev:
  description: The interface the module worked on.
  returned: success
  type: str
  sample: veth0
addresses:
  description:
    - Every address of O(dev) after the run (in check mode, the addresses a real run would leave),
      canonical, IPv4 first. Includes addresses the module does not manage, such as IPv6 link-local ones.
  returned: success
  type: list
  elements: str
  sample: ['192.0.2.10/24', '2001:db8:10::10/64', 'fe80::1c2d:3eff:fe4f:5a6b/64']
added:
  description: The addresses added (or, in check mode, that would be added).
  returned: success
  type: list
  elements: str
  sample: ['2001:db8:10::10/64']
removed:
  description: The addresses removed (or, in check mode, that would be removed).
  returned: success
  type: list
  elements: str
  sample: ['192.0.2.99/24']
actions:
  description: One line per change made (or, in check mode, that would be made).
  returned: success
  type: list
  elements: str
  sample: ['remove address 192.0.2.99/24 from veth0', 'add address 2001:db8:10::10/64 to veth0']
diff:
  description: The addresses of O(dev) before and after.
  returned: success
  type: dict
  contains:
    before:
      description: State before the run.
      type: dict
      returned: success
      sample: {'dev': 'veth0', 'addresses': ['192.0.2.99/24', 'fe80::1c2d:3eff:fe4f:5a6b/64']}
    after:
      description: State after the run (predicted in check mode).
      type: dict
      returned: success
      sample: {'dev': 'veth0', 'addresses': ['2001:db8:10::10/64', 'fe80::1c2d:3eff:fe4f:5a6b/64']}
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.addresses import (
    current_addresses,
    desired_addresses,
    plan_addresses,
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


def body(module):
    params = module.params
    netns = params['netns']
    dev = check_ifname('dev', params['dev'])
    desired_addresses(params['address'], 'address')
    if params['exclusive'] and params['state'] == 'absent':
        raise ValidationError('exclusive', True, 'cannot be combined with state=absent '
                              '(exclusive means "only these addresses", absent means "not these")')

    with Netlink(netns) as nl:
        link = nl.link(dev)
        if link is None:
            raise ValidationError('dev', dev, 'is not an interface in %s' % _where(netns))
        tracker = DifferenceTracker(before=dict(dev=dev), after=dict(dev=dev))
        plan = plan_addresses(tracker, nl, link['index'], dev, params['address'],
                              exclusive=params['exclusive'], state=params['state'], option='address')
        tracker.apply(module.check_mode)
        after = tracker.verify(lambda: dict(dev=dev, addresses=current_addresses(nl, link['index'])))
    return tracker.result(dev=dev, addresses=after['addresses'], added=plan['add'], removed=plan['remove'])


def main():
    module = new_module(argument_spec=dict(
        dev=dict(type='str', required=True),
        address=dict(type='list', elements='str', required=True),
        exclusive=dict(type='bool', default=False),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    ))
    run_module(module, body)


if __name__ == '__main__':
    main()
