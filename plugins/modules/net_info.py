#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: net_info
short_description: Read network facts (links, addresses, routes, rules, sysctls, nftables) of one or all network namespaces
description:
  - Reads, without changing anything, the network state of the namespace given by O(netns), or of the namespace
    the module runs in and every named namespace with O(all_namespaces=true).
  - One process and one netlink socket per namespace; no commands are run, so it is cheap enough for every host
    of a fleet.
  - Links report their kind, state, MTU, MAC address and master; a veth reports its peer's name and the namespace
    the peer lives in (resolved through the kernel's namespace ids).
  - Routes are read from every routing table (main, local, and numbered ones), IPv4 and IPv6.
version_added: 0.1.0
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns
  - linuxnet.plumbing.netns.attributes
options:
  all_namespaces:
    description:
      - Read the namespace the module runs in (key V("")) and every named namespace under C(/run/netns).
      - Cannot be combined with O(netns).
    type: bool
    default: false
  gather:
    description:
      - The sections to read.
      - V(namespaces) is the list of named namespaces (returned in RV(namespaces), whatever namespaces are read).
      - The default is every section except V(sysctls) and V(nftables); V(sysctls) is added when O(sysctls) is given.
      - V(nftables) reads the collection's own nftables table (C(inet linuxnet), written by
        M(linuxnet.plumbing.masquerade), M(linuxnet.plumbing.dnat) and M(linuxnet.plumbing.firewall_rule)) with
        C(nft -j) inside each namespace; it needs the C(nft) command (reported as V(null) without it).
    type: list
    elements: str
    choices: [namespaces, links, addresses, routes, rules, sysctls, nftables]
  sysctls:
    description:
      - The C(net.*) keys to read when the V(sysctls) section is gathered. Globs in the interface position are
        expanded as in M(linuxnet.plumbing.net_sysctl) (V(net.ipv4.conf.*.rp_filter)).
      - A literal key that does not exist in a namespace is reported as V(null); a glob reports what it matches.
      - Defaults to V(net.ipv4.ip_forward), V(net.ipv6.conf.all.forwarding) and V(net.ipv4.conf.*.rp_filter) when
        V(sysctls) is in O(gather) and this is empty.
    type: list
    elements: str
  format:
    description:
      - V(facts) returns RV(net_info). V(topology) returns RV(topology), the namespaces listed in O(namespaces)
        as a M(linuxnet.plumbing.topology) document that, applied with O(linuxnet.plumbing.topology#module:adopt=true),
        reports no change.
    type: str
    choices: [facts, topology]
    default: facts
  namespaces:
    description:
      - The namespaces to export with O(format=topology).
    type: list
    elements: str
  prefix:
    description:
      - With O(format=topology), stripped from the namespace names to make the node names (give the same
        prefix to the topology module).
    type: str
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same way in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  idempotent:
    support: full
    description: Always reports C(changed=false).
seealso:
  - module: linuxnet.plumbing.net_sysctl
'''

EXAMPLES = r'''
- name: Export two namespaces as a topology document
  linuxnet.plumbing.net_info:
    format: topology
    namespaces: [lab-h1, lab-r1]
    prefix: lab-
  register: exported

- name: Read everything about the router namespace
  linuxnet.plumbing.net_info:
    netns: router
  register: router_info

- name: Show the router's routes of every table
  ansible.builtin.debug:
    var: router_info.net_info.router.routes

- name: Read links and rp_filter of the host and every named namespace
  linuxnet.plumbing.net_info:
    all_namespaces: true
    gather: [links, sysctls]
    sysctls:
      - net.ipv4.conf.*.rp_filter
  register: fleet_info

- name: Where is the peer of veth0 of ns1?
  ansible.builtin.debug:
    msg: "{{ fleet_info.net_info.ns1.links.veth0.peer }} in {{ fleet_info.net_info.ns1.links.veth0.peer_netns }}"
'''

RETURN = r'''
topology:
  description: The exported document (O(format=topology)).
  returned: with O(format=topology)
  type: dict
  sample:
    nodes: {h1: {}, r1: {forwarding: true}}
    links:
      - endpoints:
          - {node: h1, name: eth0, address: [10.0.1.2/24]}
          - {node: r1, name: eth0, address: [10.0.1.1/24]}
net_info:
  description:
    - Per namespace read, keyed by its name; the namespace the module runs in (without O(netns)) is the key V("").
    - Each value holds the sections gathered.
  returned: always
  type: dict
  contains:
    links:
      description:
        - Links keyed by name. V(kind) is null for a device without a kind (loopback, physical NICs).
        - A veth has V(peer) (name), V(peer_index), V(peer_netns) (the namespace key of the peer, V("") for the
          namespace the module runs in, null when the namespace has no name known here) and V(peer_netnsid).
        - A bridge has V(ports); a vlan/macvlan/vxlan has V(parent) when the parent is in the same namespace.
        - A macvlan or vxlan also has V(lower) and V(lower_netns) (its lower device and the key of its namespace,
          null when that is not one of the gathered namespaces) and V(options) (V(mode); V(vni), V(remote),
          V(group), V(local), V(dstport)).
        - V(addresses) lists the link's addresses (CIDR) when the V(addresses) section is gathered.
      type: dict
      returned: when V(links) is gathered
      sample:
        veth0: {index: 2, kind: veth, up: true, operstate: UP, mtu: 1500, mac: "d2:1a:93:5e:0c:11", master: br0,
                peer: veth1, peer_index: 2, peer_netns: ns2, peer_netnsid: 0, addresses: ["10.0.0.1/24"]}
    addresses:
      description: Every address with its device, family (V(ipv4) or V(ipv6)) and scope.
      type: list
      elements: dict
      returned: when V(addresses) is gathered
      sample: [{dev: veth0, address: "10.0.0.1/24", family: ipv4, scope: global}]
    routes:
      description:
        - Routes of every table, in the form M(linuxnet.plumbing.ip_route) compares (V(table) is the number;
          254 main, 255 local; V(dest) is V(default) or a prefix; V(src) is the preferred source address;
          a multipath route has V(nexthops) with gateway, dev and weight), plus V(linkdown), the kernel's flag
          for a route over a link without carrier. Cached clones and TOS routes are left out.
      type: list
      elements: dict
      returned: when V(routes) is gathered
      sample:
        - {family: ipv4, table: 100, dest: default, type: unicast, proto: static, scope: global, metric: 0,
           dev: veth0, gateway: "10.0.0.2", src: null, onlink: false, nexthops: null, linkdown: false}
    rules:
      description:
        - Policy-routing rules, in the form M(linuxnet.plumbing.ip_rule) compares. V(fwmark) is written as
          V(0x10) or V(0x10/0xff); V(table) is set for V(action=lookup); uncommon selectors are under V(other).
      type: list
      elements: dict
      returned: when V(rules) is gathered
      sample:
        - {family: ipv4, priority: 100, action: lookup, table: 100, src: "10.0.0.0/24", dst: null, iif: null,
           oif: null, fwmark: "0x10", proto: boot}
    sysctls:
      description: The asked sysctls per concrete key (globs expanded), values normalised (whitespace collapsed).
      type: dict
      returned: when V(sysctls) is gathered
      sample: {net.ipv4.ip_forward: "1", net.ipv4.conf.veth0.rp_filter: "2"}
    nftables:
      description:
        - The collection's nftables rules in the namespace. V(table) says whether table C(inet linuxnet) exists;
          V(rules) lists the owned rules in kernel order with their owner (V(kind), V(name), V(index), V(order),
          the full V(comment)), a readable V(rule) line, the V(handle) and the V(packets)/V(bytes) counters;
          V(policies) the chain policies that were set (per chain); V(foreign_rules) counts rules in that table
          that the collection does not own (added by hand).
        - V(null) when the C(nft) command is not installed.
      type: dict
      returned: when V(nftables) is gathered
      sample:
        table: true
        rules:
          - {chain: postrouting, kind: masquerade, name: lan, index: 0, order: 0,
             comment: "lnp:masquerade:lan:0:0:1f2e3d4c", handle: 4, packets: 12, bytes: 1008,
             rule: 'postrouting: oifname "uplink0" ip saddr 10.0.0.0/24 counter masquerade  # lnp:masquerade:lan:0'}
        policies: {forward: drop}
        foreign_rules: 0
namespaces:
  description:
    - The namespace the module runs in (name V("")) and every named namespace, with its inode;
      V(current) marks the ones that are the namespace the module runs in.
  returned: when V(namespaces) is gathered
  type: list
  elements: dict
  sample: [{name: "", inode: 4026531840, current: true}, {name: ns1, inode: 4026532301, current: false}]
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.facts import (
    CURRENT,
    DEFAULT_GATHER,
    DEFAULT_SYSCTLS,
    Gatherer,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import netns_exists, netns_path, resolv_conf_path
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.sysctl import parse_key
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

SECTIONS = ['namespaces', 'links', 'addresses', 'routes', 'rules', 'sysctls', 'nftables']


def export_topology(params):
    """format=topology: the given namespaces as a topology document."""
    # The topology engine is large; the plain reads (most calls) do not load it.
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology import read_text, recorded_rule_sets
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_export import FORWARDING, export_document

    names = params['namespaces'] or []
    if not names:
        raise ValidationError('namespaces', names, 'must name at least one namespace with format=topology')
    for i, name in enumerate(names):
        if not netns_exists(name):
            raise ValidationError('namespaces[%d]' % i, name, 'is not an existing network namespace (no %s)'
                                  % netns_path(name))
    gatherer = Gatherer(names, ['links', 'addresses', 'routes', 'rules', 'sysctls'],
                        [parse_key('sysctls', k) for k in FORWARDING])
    try:
        facts = gatherer.collect()
    finally:
        gatherer.close()
    for name in names:
        facts[name]['resolv_conf'] = read_text(resolv_conf_path(name))
        facts[name]['rule_sets'] = recorded_rule_sets(name)
    return dict(changed=False, topology=export_document(facts, params['prefix'] or ''))


def body(module):
    params = module.params
    if params['format'] == 'topology':
        return export_topology(params)
    for option in ('namespaces', 'prefix'):
        if params[option]:
            raise ValidationError(option, params[option], 'is only used with format=topology')
    netns = params['netns']
    sections = params['gather']
    if sections is None:
        sections = list(DEFAULT_GATHER) + (['sysctls'] if params['sysctls'] else [])
    keys = []
    if 'sysctls' in sections:
        for text in params['sysctls'] or DEFAULT_SYSCTLS:
            key = parse_key('sysctls', text)
            if key not in keys:
                keys.append(key)
    elif params['sysctls']:
        raise ValidationError('sysctls', params['sysctls'], 'is given but gather does not include sysctls')
    if params['all_namespaces']:
        targets = None
    else:
        if netns is not None and not netns_exists(netns):
            raise ValidationError('netns', netns, 'is not an existing network namespace (no %s); create it with '
                                  'linuxnet.plumbing.netns' % netns_path(netns))
        targets = [netns if netns is not None else CURRENT]
    gatherer = Gatherer(targets, sections, keys)
    try:
        result = dict(changed=False, net_info=gatherer.collect())
        if 'namespaces' in sections:
            result['namespaces'] = gatherer.namespaces()
        return result
    finally:
        gatherer.close()


def main():
    module = new_module(
        argument_spec=dict(
            all_namespaces=dict(type='bool', default=False),
            gather=dict(type='list', elements='str', choices=SECTIONS),
            sysctls=dict(type='list', elements='str'),
            format=dict(type='str', choices=['facts', 'topology'], default='facts'),
            namespaces=dict(type='list', elements='str'),
            prefix=dict(type='str'),
        ),
        mutually_exclusive=[('netns', 'all_namespaces')],
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
