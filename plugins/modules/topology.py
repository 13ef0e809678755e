#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: topology
short_description: Reconcile a whole lab or host network described in one document
version_added: 1.1.0
description:
  - Builds, repairs and removes a network of namespaces, veth links, bridges, addresses, routes, policy
    rules, sysctls, nameservers and nftables rule sets described by one document, in one module call and one process on the target.
  - Each node of the document is a network namespace named O(prefix) + node name; a node of kind C(host)
    is the namespace the module runs in, where links may end but nothing else is managed.
  - The document is validated as a whole before anything changes (on the controller by the action plugin);
    errors name the path inside the document (C(links[3].endpoints[1].name)) and the value.
  - Ownership is recorded per topology in C(/run/linuxnet/topology/NAME.json). Purge and O(state=absent)
    only remove objects that record lists; a declared namespace that exists and is not in the record is
    refused unless O(adopt=true), which takes it over (it is then removed by O(state=absent)).
  - Namespaces the module creates get C(net.ipv6.conf.default.accept_dad=0) and declared addresses are added
    without duplicate address detection, so IPv6 works as soon as the module returns.
  - Addresses on the declared interfaces are exclusive (IPv6 link-local addresses are kept). Routes are
    the declared ones plus whatever the kernel adds; routes declared earlier and no longer declared are
    removed when O(purge) is set.
  - After a real run the module reads the kernel again and fails if anything differs from the plan.
  - Nodes may name their inventory host (C(host)); the action plugin then gives each host of the play its
    part, and a link between nodes on two hosts becomes a VXLAN pair over the hosts' underlay
    (C(topology_underlay_address), C(topology_underlay_interface) and C(topology_underlay_mtu) host
    variables, else C(ansible_host) and the facts). The module checks on the target, before any change,
    that each peer's underlay address is routed out of the underlay interface. See C(docs/topology.md),
    section "Across hosts".
  - A node's C(masquerade), C(dnat) and C(firewall) entries take the options of M(linuxnet.plumbing.masquerade),
    M(linuxnet.plumbing.dnat) and M(linuxnet.plumbing.firewall_rule) (without O(ignore:netns) and O(ignore:state));
    each is one rule set of the collection's nftables table, and all rule sets of a namespace are applied
    as one transaction.
  - A node's C(routes) and C(rules) take the options of M(linuxnet.plumbing.ip_route) and
    M(linuxnet.plumbing.ip_rule) without O(ignore:netns); tables are numbers or the kernel's names.
  - An endpoint may fix its MAC address (C(mac)); it is set when the link is made and repaired when it drifts.
  - Links are veth pairs, or C(kind=macvlan) and C(kind=vxlan) links of one endpoint with the options of
    M(linuxnet.plumbing.link) for the kind (C(parent) as C(NODE:IFNAME), C(mode), C(vni), C(remote), C(group),
    C(local), C(dstport)); other kinds are refused with a message naming M(linuxnet.plumbing.link).
  - Runs that apply hold each namespace's nftables lock, as M(linuxnet.plumbing.masquerade) does, from
    reading its table to the commit.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
extends_documentation_fragment:
  - linuxnet.plumbing.netns.attributes
options:
  name:
    description:
      - The topology's identity; the owner of everything it creates.
    type: str
    required: true
  topology:
    description:
      - The document; see the collection's C(docs/topology.md) for its keys.
      - Exactly one of O(topology) and O(src) is required with O(state=present).
    type: dict
  src:
    description:
      - A YAML file holding the document, read on the controller (relative paths are looked up in the
        play's C(files) directories, as M(ansible.builtin.copy) does).
      - A file whose name ends in C(.json) is read as JSON, several times faster for large generated documents.
    type: path
  prefix:
    description:
      - Prefix of every namespace name (C(PREFIX) + node name).
    type: str
    default: ''
  state:
    description:
      - V(present) builds and repairs; V(absent) removes exactly what the record of this topology lists.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - Remove what this topology created earlier and no longer declares.
    type: bool
    default: true
  adopt:
    description:
      - Take over declared namespaces that exist but were not created by this topology.
    type: bool
    default: false
  validate:
    description:
      - Run the checks of the document's C(validate) list after applying; the task fails if one fails.
    type: bool
    default: true
  only_validate:
    description:
      - Change nothing; only run the checks.
    type: bool
    default: false
  validate_timeout:
    description:
      - Seconds each check is retried while the network converges.
    type: float
    default: 20
  diagram_format:
    description:
      - Format of the returned RV(diagram).
    type: str
    choices: [mermaid, dot]
    default: mermaid
  diagram_file:
    description:
      - Write the diagram to this file on the controller.
    type: path
  inventory_file:
    description:
      - Write RV(inventory) to this YAML file on the controller, to run any module or ad-hoc command inside the
        lab's nodes (C(ansible -i FILE NODE -m ...)). Like the diagram, the file is written only when its content
        changes, never in check mode, and does not make the task changed.
      - With O(state=absent) the file is removed.
      - Only for a topology on one host run with the local connection (the machine that runs
        C(ansible-playbook)), because the netns connection reaches the namespaces of that machine only. Otherwise it is
        refused before any change.
    type: path
requirements:
  - pyroute2 0.7 or newer on the managed host for routes (C(apt-get install python3-pyroute2) or C(pip install pyroute2))
  - the C(nft) command on the managed host for masquerade, dnat and firewall entries
  - root on the managed host
seealso:
  - module: linuxnet.plumbing.net_info
  - module: linuxnet.plumbing.probe
'''

EXAMPLES = r'''
- name: Two hosts behind a router, proven by a traceroute
  linuxnet.plumbing.topology:
    name: lab
    prefix: lab-
    topology:
      nodes:
        h1:
          routes: [{dest: default, gateway: 10.0.1.1}]
        r1: {forwarding: true}
        h2:
          routes: [{dest: default, gateway: 10.0.2.1}]
      links:
        - endpoints:
            - {node: h1, name: eth0, address: [10.0.1.2/24]}
            - {node: r1, name: eth0, address: [10.0.1.1/24]}
        - endpoints:
            - {node: r1, name: eth1, address: [10.0.2.1/24]}
            - {node: h2, name: eth0, address: [10.0.2.2/24]}
      validate:
        - {from: h1, type: traceroute, target: 10.0.2.2, path: [10.0.1.1, 10.0.2.2]}
    diagram_file: /tmp/lab.mmd
    inventory_file: /tmp/lab-inventory.yml   # then: ansible -i /tmp/lab-inventory.yml lab-h1 -m ansible.builtin.setup

- name: A star on a bridge, from a file
  linuxnet.plumbing.topology:
    name: star
    src: topologies/star.yml

- name: Remove everything the lab topology created
  linuxnet.plumbing.topology:
    name: lab
    prefix: lab-
    state: absent
'''

RETURN = r'''
plan:
  description: The ordered actions (what check mode predicts and a real run did).
  returned: always
  type: list
  elements: dict
  sample:
    - {action: add, object: namespace, node: h1, netns: lab-h1, text: add namespace lab-h1}
    - {action: add, object: address, node: h1, netns: lab-h1, name: eth0, address: 10.0.1.2/24,
       text: add address 10.0.1.2/24 to lab-h1:eth0}
namespaces:
  description: The namespace of each node (null for the host node).
  returned: always
  type: dict
  sample: {h1: lab-h1, r1: lab-r1}
validation:
  description: One result per check of the document's C(validate) list.
  returned: when checks ran
  type: list
  elements: dict
  sample:
    - {from: h1, type: ping, target: 10.0.2.2, passed: true, success: true, attempts: 1,
       msg: "ping 10.0.2.2 from namespace 'lab-h1': 1/1 replies"}
    - {from: h1, type: traceroute, target: 10.0.2.2, passed: true, success: true, attempts: 1,
       path: [10.0.1.1, 10.0.2.2], path_nodes: [r1, h2],
       msg: "traceroute 10.0.2.2 from lab-h1: reached in 2 hops: 10.0.1.1 (r1) 10.0.2.2 (h2)"}
diagram:
  description: The topology as Mermaid or dot text (by the action plugin).
  returned: with the action plugin
  type: str
  sample: "graph LR\n  n_h1[\"h1\"]\n"
diff:
  description: Before and after, per node (links and addresses, routes, sysctls, nameservers).
  returned: always
  type: dict
inventory:
  description:
    - The lab as an Ansible inventory (by the action plugin); one group named after the topology (characters
      other than letters, digits and C(_) become C(_)), one host per namespace node, named as its namespace and
      reached with the M(linuxnet.plumbing.netns) connection. Nodes of kind C(host) are not listed.
    - The group's C(ansible_python_interpreter) is the Python that runs C(ansible-playbook), which has what the
      collection's modules need.
    - Host variables C(topology_node) (the node's name in the document), C(topology_interfaces) (interface name
      to its declared addresses) and C(topology_forwarding).
  returned: with O(state=present), for a topology on one host
  type: dict
  sample:
    all:
      children:
        lab:
          vars:
            ansible_connection: linuxnet.plumbing.netns
            ansible_python_interpreter: /usr/bin/python3
            topology_name: lab
          hosts:
            lab-h1:
              ansible_netns_name: lab-h1
              topology_node: h1
              topology_interfaces: {eth0: [10.0.1.2/24]}
              topology_forwarding: false
inventory_file:
  description: The path O(inventory_file) was written to (or removed from, with O(state=absent)).
  returned: when O(inventory_file) is set and the task did not fail
  type: str
  sample: /tmp/lab-inventory.yml
diagram_file:
  description: The path O(diagram_file) was written to.
  returned: when O(diagram_file) is set and the task did not fail
  type: str
  sample: /tmp/lab.mmd
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import ModuleFailure, new_module, run_module
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology import (
    Engine,
    EngineFailure,
    load_record,
    probe_check,
    run_checks,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import module_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_underlay import check_underlay_routes
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import netns_names
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_lines import readable_lines
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology_reconcile import summary
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError


def _checks(module, doc, names):
    results = readable_lines(run_checks(doc['validate'], names, probe_check, module.params['validate_timeout']), doc)
    failed = [r for r in results if not r['passed']]
    return results, failed


def _invocation(params):
    """The module's arguments as echoed in the result, without the document:
    it can be thousands of lines, and the action plugin shows the task's own
    arguments instead."""
    args = dict(params)
    if isinstance(args.get('topology'), dict):
        args['topology'] = '(%d nodes)' % len(args['topology'].get('nodes') or {})
    return {'module_args': args}


def body(module):
    p = module.params
    prefix = p['prefix'] or ''
    record = load_record(p['name'], prefix)
    if p['state'] == 'present' or p['topology'] is not None:
        if p['topology'] is None:
            raise ValidationError('topology', None, 'is required with state=present (or give src through the '
                                  'action plugin)')
        doc = module_document(p['topology'], prefix)
    else:
        doc = None
    if p['state'] == 'absent':
        doc = None
    names = netns_names(doc, prefix) if doc else dict(record['namespaces'])
    if p['only_validate']:
        results, failed = _checks(module, doc, names)
        if failed:
            raise ModuleFailure('%d of %d checks failed: %s' % (len(failed), len(results),
                                '; '.join(r['msg'] for r in failed)), validation=results, namespaces=names)
        return dict(changed=False, plan=[], namespaces=names, validation=results)
    if doc is not None:
        check_underlay_routes(doc)
    engine = Engine(p['name'], doc, prefix, record)
    try:
        try:
            current, actions = engine.run(p['state'], p['purge'], p['adopt'], module.check_mode)
        except EngineFailure as exc:
            raise ModuleFailure(str(exc), namespaces=names)
        if not module._diff:
            before = after = None
        elif doc is not None:
            before, after = summary(doc, prefix, current)
        else:
            before, after = dict((a['node'], a['text']) for a in actions), {}
    finally:
        engine.close()
    result = dict(changed=bool(actions), plan=actions, namespaces=names, invocation=_invocation(p))
    if module._diff:
        result['diff'] = {'before': before, 'after': after}
    if doc is not None and p['validate'] and doc['validate'] and not module.check_mode:
        results, failed = _checks(module, doc, names)
        result['validation'] = results
        if failed:
            result.pop('diff', None)
            raise ModuleFailure('%d of %d checks failed: %s' % (len(failed), len(results),
                                '; '.join(r['msg'] for r in failed)), **result)
    return result


def main():
    module = new_module(
        argument_spec=dict(
            name=dict(type='str', required=True),
            topology=dict(type='dict'),
            src=dict(type='path'),
            prefix=dict(type='str', default=''),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            purge=dict(type='bool', default=True),
            adopt=dict(type='bool', default=False),
            validate=dict(type='bool', default=True),
            only_validate=dict(type='bool', default=False),
            validate_timeout=dict(type='float', default=20.0),
            diagram_format=dict(type='str', choices=['mermaid', 'dot'], default='mermaid'),
            diagram_file=dict(type='path'),
            inventory_file=dict(type='path'),
        ),
        with_netns=False,
        needs_pyroute2=False,
        mutually_exclusive=[('topology', 'src')],
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
