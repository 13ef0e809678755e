# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result line of each check, readable by someone who does not know the lab's addresses by heart.

A path of addresses only says which router answered to someone who knows the
addressing plan; the document knows it, so a traceroute result also carries
the node names (``path_nodes``) and its line reads ``10.0.1.1 (router1)``. A
check that failed as the document expects says so, or its line reads like an
error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import node_interfaces


def address_nodes(doc):
    """{address without prefix length: node} of every address the document declares."""
    out = {}
    for node in doc['nodes']:
        for addresses in node_interfaces(doc, node).values():
            for address in addresses:
                out[str(ipaddress.ip_interface(address).ip)] = node
    return out


def readable_lines(results, doc):
    """Name the hops of traceroute RESULTS (path_nodes and msg) and mark expected failures in msg."""
    nodes = address_nodes(doc)
    for result in results:
        if result and result.get('passed') and result.get('expect') == 'failure':
            result['msg'] += ' (as expected)'
        hops = result.get('path') if result and result.get('type') == 'traceroute' else None
        if not hops:
            continue
        result['path_nodes'] = [nodes.get(h) if h else None for h in hops]
        plain = ' '.join(h or '*' for h in hops)
        named = ' '.join('%s (%s)' % (h, nodes[h]) if h in nodes else (h or '*') for h in hops)
        # The hops end the line; the target, named first, may be a hop too.
        head, found, tail = result['msg'].rpartition(plain)
        if found:
            result['msg'] = head + named + tail
    return results
