# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A canonical topology document as a Mermaid flowchart or a Graphviz graph:
nodes and bridges as boxes, links as edges labelled with the interface names
and addresses of both ends."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def _id(kind, name):
    return '%s_%s' % (kind, re.sub(r'[^A-Za-z0-9_]', '_', name))


def _end_label(end):
    parts = [end['name']] + list(end['address'])
    return ' '.join(parts)


def _kind_link(link):
    """A macvlan or vxlan: an edge from its node to its parent's node (to a
    box of its own for a vxlan without a parent) -> ([boxes], edge)."""
    end, parent, spec = link['endpoints'][0], link['parent'], link['spec']
    label = _end_label(end)
    if link['kind'] == 'macvlan':
        label += ' (macvlan %s on %s)' % (spec['mode'], parent['name'])
        return [], (_id('n', end['node']), _id('n', parent['node']), label)
    peer = spec.get('remote') or spec.get('group')
    label += ' (vxlan %d%s%s)' % (spec['vni'], ' on ' + parent['name'] if parent else '', ' to ' + peer if peer else '')
    if parent is not None:
        return [], (_id('n', end['node']), _id('n', parent['node']), label)
    box = _id('v', '%s_%s' % (end['node'], end['name']))
    return [(box, 'vxlan %d' % spec['vni'], 'bridge')], (_id('n', end['node']), box, label)


def _items(doc):
    """(boxes, edges): boxes (id, label, shape), edges (id_a, id_b, label)."""
    boxes = []
    for name, node in sorted(doc['nodes'].items()):
        label = name + (' (host)' if node['kind'] == 'host' else '')
        boxes.append((_id('n', name), label, 'node'))
    for name, bridge in sorted(doc['bridges'].items()):
        label = '%s (bridge in %s)%s' % (name, bridge['node'], ''.join(' ' + a for a in bridge['address']))
        boxes.append((_id('b', name), label, 'bridge'))
    edges = []
    for link in doc['links']:
        if link['kind'] != 'veth':
            boxes_edges = _kind_link(link)
            boxes.extend(boxes_edges[0])
            edges.append(boxes_edges[1])
            continue
        ids, labels = [], []
        for end in link['endpoints']:
            ids.append(_id('b', end['bridge']) if end['bridge'] else _id('n', end['node']))
            labels.append(_end_label(end))
        edges.append((ids[0], ids[1], ' -- '.join(labels)))
    for name, bridge in sorted(doc['bridges'].items()):
        edges.append((_id('n', bridge['node']), _id('b', name), ''))
    return boxes, edges


def _box_hosts(doc, hosts):
    """{box id: host} of the nodes and bridges HOSTS ({node: host}) places."""
    out = dict((_id('n', n), h) for n, h in hosts.items())
    out.update((_id('b', b), hosts[v['node']]) for b, v in doc['bridges'].items() if v['node'] in hosts)
    return out


def _grouped(boxes, doc, hosts):
    """[(host or None, [box])]: the boxes of each host together, in host order,
    the unplaced ones (host nodes, a single-host topology) first."""
    where = _box_hosts(doc, hosts or {})
    order = [None] + sorted(set(where.values()))
    return [(h, [b for b in boxes if where.get(b[0]) == h]) for h in order]


def mermaid(doc, hosts=None):
    boxes, edges = _items(doc)
    lines = ['graph LR']
    for host, group in _grouped(boxes, doc, hosts):
        indent = '  '
        if host is not None:
            lines.append('  subgraph %s["%s"]' % (_id('h', host), host.replace('"', "'")))
            indent = '    '
        for box, label, shape in group:
            lines.append('%s%s%s' % (indent, box, ('{{"%s"}}' if shape == 'bridge' else '["%s"]')
                                     % label.replace('"', "'")))
        if host is not None:
            lines.append('  end')
    for left, right, label in edges:
        if label:
            lines.append('  %s ---|"%s"| %s' % (left, label.replace('"', "'"), right))
        else:
            lines.append('  %s -.- %s' % (left, right))
    return '\n'.join(lines) + '\n'


def dot(doc, hosts=None):
    boxes, edges = _items(doc)
    lines = ['graph topology {', '  node [shape=box];']
    for host, group in _grouped(boxes, doc, hosts):
        indent = '  '
        if host is not None:
            lines.append('  subgraph cluster_%s {' % _id('h', host))
            lines.append('    label="%s";' % host.replace('"', "'"))
            indent = '    '
        for box, label, shape in group:
            lines.append('%s%s [label="%s"%s];' % (indent, box, label.replace('"', "'"),
                                                   ', shape=hexagon' if shape == 'bridge' else ''))
        if host is not None:
            lines.append('  }')
    for left, right, label in edges:
        lines.append('  %s -- %s [%s];' % (left, right, 'label="%s"' % label.replace('"', "'") if label else 'style=dashed'))
    lines.append('}')
    return '\n'.join(lines) + '\n'


def render(doc, fmt='mermaid', hosts=None):
    """The diagram of DOC; HOSTS ({node: host}) draws each host's nodes in a
    box of their own (Mermaid subgraph, Graphviz cluster)."""
    return dot(doc, hosts) if fmt == 'dot' else mermaid(doc, hosts)
