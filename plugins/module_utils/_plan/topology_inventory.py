# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A canonical topology document as an Ansible inventory: one host per
namespace node, reached with the collection's netns connection, so that any
module or ad-hoc command can run inside a node of a lab (containerlab writes
such an inventory for every lab)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

CONNECTION = 'linuxnet.plumbing.netns'


def group_name(name):
    """An inventory group name (letters, digits and _) for a topology name."""
    group = re.sub(r'[^A-Za-z0-9_]', '_', name)
    return group if not group[:1].isdigit() else '_' + group


def _interfaces(doc):
    """{node: {interface: [addresses]}}: link ends, bridges, macvlans and
    vxlans, in their nodes (bridge ports carry no address of their own)."""
    out = {}
    for link in doc['links']:
        for end in link['endpoints']:
            if end.get('bridge'):
                continue
            out.setdefault(end['node'], {})[end['name']] = list(end['address'])
    for name, bridge in doc['bridges'].items():
        out.setdefault(bridge['node'], {})[name] = list(bridge['address'])
    return out


def inventory(doc, name, prefix, python):
    """The inventory of a canonical (expanded) single-host document: the group
    named after the topology holds every namespace node; nodes of kind host
    (the machine itself) are not listed. Host names are the namespace names,
    so that two labs side by side never share a host. python runs the modules
    in the namespaces: the controller's own (ansible-playbook's), which has
    what the collection needs (pyroute2), where interpreter discovery would
    pick the system's."""
    interfaces = _interfaces(doc)
    hosts = {}
    for node, spec in doc['nodes'].items():
        if spec['kind'] == 'host':
            continue
        hosts[prefix + node] = {
            'ansible_netns_name': prefix + node,
            'topology_node': node,
            'topology_interfaces': interfaces.get(node, {}),
            'topology_forwarding': bool(spec.get('forwarding')),
        }
    return {'all': {'children': {group_name(name): {
        'vars': {'ansible_connection': CONNECTION, 'ansible_python_interpreter': python,
                 'topology_name': name},
        'hosts': hosts,
    }}}}
