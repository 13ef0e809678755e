# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""net_info facts of some namespaces -> a topology document that applies back
with no change (the show/apply round trip).

What is exported is what the topology module reconciles: veth pairs between
the given namespaces (with their addresses and a common MTU), bridges and
their veth ports, static routes, policy rules, forwarding, nameservers,
and the masquerade/dnat/firewall entries a topology recorded for the
namespace whose rules are live unchanged, and macvlan and vxlan links whose
parent is in one of the namespaces. Links to
namespaces outside the set, other link kinds and kernel routes are left out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.topology import is_link_local6
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.topology_nft import entry_spec
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import MAIN_TABLE
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import KERNEL_DEFAULT_PRIORITIES

DEFAULT_MTU = 1500
VXLAN_PORT = 4789
LOCAL_TABLE = 255
EXPORTED_PROTOS = ('static', 'boot')
FORWARDING = ('net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding')


def _node_name(netns, prefix):
    return netns[len(prefix):] if prefix and netns.startswith(prefix) else netns


def _addresses(link):
    return [a for a in link.get('addresses') or [] if not is_link_local6(a)]


def _routes(routes):
    out = []
    for route in routes or []:
        if (route['table'] == LOCAL_TABLE or route['proto'] not in EXPORTED_PROTOS or route['type'] != 'unicast'
                or route['nexthops']):
            continue
        item = {'dest': route['dest']}
        if route['table'] != MAIN_TABLE:
            item['table'] = route['table']
        if route['gateway']:
            item['gateway'] = route['gateway']
        else:
            item['dev'] = route['dev']
        if route['metric'] not in (0, 1024):
            item['metric'] = route['metric']
        out.append(item)
    return out


def _rules(rules):
    """Rules besides the kernel's defaults, as ip_rule options."""
    out = []
    for rule in rules or []:
        if rule['priority'] in KERNEL_DEFAULT_PRIORITIES or rule.get('other'):
            continue
        item = dict((k, rule[k]) for k in ('priority', 'src', 'dst', 'iif', 'oif', 'fwmark') if rule.get(k))
        if rule['action'] == 'lookup':
            item['table'] = rule['table']
        else:
            item['action'] = rule['action']
        if rule['family'] == 'ipv6' and not (rule.get('src') or rule.get('dst')):
            item['family'] = 'ipv6'
        out.append(item)
    return out


def _nameservers(text):
    """The servers of a resolv.conf made of nameserver lines only (what the
    topology module writes); None for anything richer, which it would rewrite."""
    servers = []
    for line in (text or '').splitlines():
        words = line.split()
        if len(words) != 2 or words[0] != 'nameserver':
            return None
        servers.append(words[1])
    return servers or None


def _kind_links(facts, names):
    """macvlan and vxlan links whose parent (if any) is in one of the
    exported namespaces, with their options (MTU always: its default is the
    parent's, or the underlay's less the vxlan header)."""
    out = []
    for ns in sorted(facts):
        for ifname, link in sorted((facts[ns].get('links') or {}).items()):
            if link['kind'] not in ('macvlan', 'vxlan') or 'options' not in link:
                continue
            item = {'kind': link['kind'], 'endpoints': [{'node': names[ns], 'name': ifname,
                                                         'address': _addresses(link)}], 'mtu': link['mtu']}
            if link.get('lower') is not None:
                if link['lower_netns'] not in facts:
                    continue
                item['parent'] = {'node': names[link['lower_netns']], 'name': link['lower']}
            elif link['kind'] == 'macvlan':
                continue
            options = link['options']
            if link['kind'] == 'macvlan':
                item['mode'] = options['mode']
            else:
                item.update((k, options[k]) for k in ('vni', 'remote', 'group', 'local') if options.get(k) is not None)
                if options.get('dstport') != VXLAN_PORT:
                    item['dstport'] = options['dstport']
            out.append(item)
    return out


def export_document(facts, prefix=''):
    """facts: {netns: {'links': ..., 'routes': ..., 'sysctls': ...}} (net_info's shape)."""
    nodes, bridges, links = {}, {}, []
    names = dict((ns, _node_name(ns, prefix)) for ns in facts)
    for ns in sorted(facts):
        node = {}
        sysctls = facts[ns].get('sysctls') or {}
        if all(sysctls.get(k) == '1' for k in FORWARDING):
            node['forwarding'] = True
        servers = _nameservers(facts[ns].get('resolv_conf'))
        if servers:
            node['nameservers'] = servers
        for entry in facts[ns].get('rule_sets') or []:
            # Options left at their defaults are left out of an exported entry.
            spec = entry_spec(entry['key'])
            params = dict((k, v) for k, v in entry['params'].items()
                          if v is not None and k != 'state' and v != (spec.get(k) or {}).get('default'))
            node.setdefault(entry['key'], []).append(params)
        rules = _rules(facts[ns].get('rules'))
        if rules:
            node['rules'] = rules
        routes = _routes(facts[ns].get('routes'))
        if routes:
            node['routes'] = routes
        nodes[names[ns]] = node
        for ifname, link in sorted((facts[ns].get('links') or {}).items()):
            if link['kind'] == 'bridge':
                bridges[ifname] = {'node': names[ns], 'address': _addresses(link)}
                if link['mtu'] != DEFAULT_MTU:
                    bridges[ifname]['mtu'] = link['mtu']
    seen = set()
    for ns in sorted(facts):
        for ifname, link in sorted((facts[ns].get('links') or {}).items()):
            peer_ns = link.get('peer_netns')
            if link['kind'] != 'veth' or peer_ns not in facts or (ns, ifname) in seen:
                continue
            peer = (facts[peer_ns].get('links') or {}).get(link.get('peer'))
            if peer is None:
                continue
            seen.add((ns, ifname))
            seen.add((peer_ns, link['peer']))
            ends = []
            for end_ns, end_name, end in ((ns, ifname, link), (peer_ns, link['peer'], peer)):
                if end.get('master') in bridges and bridges[end['master']]['node'] == names[end_ns]:
                    ends.append({'bridge': end['master'], 'name': end_name})
                else:
                    ends.append({'node': names[end_ns], 'name': end_name, 'address': _addresses(end)})
            item = {'endpoints': ends}
            if link['mtu'] == peer['mtu'] and link['mtu'] != DEFAULT_MTU:
                item['mtu'] = link['mtu']
            links.append(item)
    links.extend(_kind_links(facts, names))
    doc = {'nodes': nodes}
    if bridges:
        doc['bridges'] = bridges
    if links:
        doc['links'] = links
    return doc
