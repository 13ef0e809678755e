# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only network facts for net_info: one netlink socket per namespace.

Every section is a collector ``func(ctx, ns) -> value`` registered in
COLLECTORS; a later section (the collection's nftables rules) is one more
entry there. Routes and rules are the same canonical dicts ip_route and
ip_rule compare (_routes.route_from_msg, _rules.rule_from_msg), so facts can
be fed back into those modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import struct

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netlink import (
    Netlink,
    get_nsid,
    open_rtnl_socket,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.routes import route_from_msg
from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.rules import rule_from_msg
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    NamespaceError,
    entered_fd,
    list_netns,
    netns_path,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines import nftables as _nft
from ansible_collections.linuxnet.plumbing.plugins.module_utils._system import sysctl as _sysctl

CURRENT = ''  # key of the namespace the module runs in
DEFAULT_GATHER = ['namespaces', 'links', 'addresses', 'routes', 'rules']
DEFAULT_SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.*.rp_filter']
NSID_NONE = (None, -1, 0xFFFFFFFF)

RTNH_F_LINKDOWN = 0x10


def route_fact(msg, names):
    """A route message -> the canonical dict ip_route uses (_routes), plus
    ``linkdown`` (the kernel's flag for a route over a link without carrier).
    None for what _routes never reports (cached clones, TOS routes)."""
    route = route_from_msg(msg, names)
    if route is not None:
        route['linkdown'] = bool(msg['flags'] & RTNH_F_LINKDOWN)
    return route


def rule_fact(msg):
    """A rule message -> the canonical dict ip_rule uses (_rules)."""
    return rule_from_msg(msg)


def _sort_routes(routes):
    return sorted((r for r in routes if r is not None),
                  key=lambda r: (r['family'], r['table'], r['dest'] != 'default', r['dest'], r['metric']))


class _Namespace(object):
    """One namespace known to this run: key ('' = current), inode, fd."""

    def __init__(self, key, path):
        self.key = key
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        self.inode = os.fstat(self.fd).st_ino
        self.nl = None
        self.raw_links = None
        self.rtnl = None

    @property
    def netns(self):
        return None if self.key == CURRENT else self.key

    def close(self):
        if self.nl is not None:
            self.nl.close()
            self.nl = None
        if self.rtnl is not None:
            self.rtnl.close()
            self.rtnl = None
        os.close(self.fd)


class Gatherer(object):
    """Collects facts from several namespaces in one process."""

    def __init__(self, targets, sections, sysctl_keys=None):
        """targets: namespace keys to read ('' = current), None = all known."""
        self.sections = list(sections)
        self.sysctl_keys = sysctl_keys or []
        self.known = []
        self.targets = []
        self._nsid_maps = {}
        # The namespace we run in first, so a named one with the same inode
        # (a module running inside a named namespace) wins for peer names.
        current = _Namespace(CURRENT, '/proc/self/ns/net')
        self.known.append(current)
        for name in list_netns():
            try:
                self.known.append(_Namespace(name, netns_path(name)))
            except OSError:
                continue
        if targets is None:
            self.targets = list(self.known)
        for key in targets or []:
            ns = self.by_key(key)
            if ns is None:
                self.close()
                raise NamespaceError("network namespace '%s' does not exist or cannot be opened" % key)
            self.targets.append(ns)

    def by_key(self, key):
        for ns in self.known:
            if ns.key == key:
                return ns
        return None

    def close(self):
        for ns in self.known:
            ns.close()

    def socket(self, ns):
        if ns.nl is None:
            ns.nl = Netlink.open_fd(ns.netns, ns.fd)
        return ns.nl

    def raw_links(self, ns):
        if ns.raw_links is None:
            ns.raw_links = self.socket(ns).links()
        return ns.raw_links

    # -- peer namespaces -------------------------------------------------------

    def nsid_map(self, ns):
        """{nsid: namespace key} as seen from NS (RTM_GETNSID per known ns)."""
        if ns.key not in self._nsid_maps:
            if ns.rtnl is None:
                with entered_fd(ns.fd):
                    ns.rtnl = open_rtnl_socket()
            mapping = {}
            for seq, other in enumerate(self.known, 1):
                try:
                    nsid = get_nsid(ns.rtnl, other.fd, seq)
                except (OSError, socket.error, struct.error):
                    continue
                if nsid in NSID_NONE:
                    continue
                # Prefer a name over '' when the same namespace has both.
                if nsid not in mapping or mapping[nsid] == CURRENT:
                    mapping[nsid] = other.key
            self._nsid_maps[ns.key] = mapping
        return self._nsid_maps[ns.key]

    def peer_namespace(self, ns, netnsid):
        if netnsid is None:
            return ns
        key = self.nsid_map(ns).get(netnsid)
        return self.by_key(key) if key is not None else None

    # -- sections --------------------------------------------------------------

    def links(self, ns):
        raw = self.raw_links(ns)
        names = dict((item['index'], item['name']) for item in raw)
        out = {}
        for item in raw:
            fact = {
                'index': item['index'],
                'kind': item['kind'],
                'up': item['up'],
                'operstate': item['operstate'],
                'mtu': item['mtu'],
                'mac': item['mac'],
                'master': item['master'],
            }
            link_index = item['link_index']
            if item['kind'] == 'veth':
                fact.update(self._veth_peer(ns, link_index, item['link_netnsid']))
            elif link_index and item['kind'] is not None:
                # vlan/macvlan/vxlan...: the lower device, when it is here.
                fact['parent'] = names.get(link_index) if item['link_netnsid'] is None else None
            if item['kind'] in ('macvlan', 'vxlan'):
                fact.update(self._lower(ns, item))
            out[item['name']] = fact
        for name, fact in out.items():
            if fact['kind'] == 'bridge':
                fact['ports'] = sorted(n for n, f in out.items() if f['master'] == name)
        return out

    def _lower(self, ns, item):
        """A macvlan's or vxlan's lower device in whichever namespace it is
        ('lower', 'lower_netns') and the kind's options ('options': parent
        left out), for net_info's topology export."""
        from ansible_collections.linuxnet.plumbing.plugins.module_utils._plan.links import current_spec
        options = current_spec(item, {})
        options.pop('parent', None)
        index = item['link_index'] if item['kind'] == 'macvlan' else item['info_data'].get('IFLA_VXLAN_LINK')
        lower_ns = self.peer_namespace(ns, item['link_netnsid'])
        lower = None
        if lower_ns is not None and index:
            lower = next((l['name'] for l in self.raw_links(lower_ns) if l['index'] == index), None)
        return {'lower': lower, 'lower_netns': lower_ns.key if lower_ns is not None and lower else None,
                'options': options}

    def _veth_peer(self, ns, peer_index, netnsid):
        peer_ns = self.peer_namespace(ns, netnsid)
        peer = None
        if peer_ns is not None and peer_index:
            for item in self.raw_links(peer_ns):
                if item['index'] == peer_index:
                    peer = item['name']
                    break
        return {
            'peer': peer,
            'peer_index': peer_index,
            'peer_netns': peer_ns.key if peer_ns is not None else None,
            'peer_netnsid': netnsid,
        }

    def addresses(self, ns):
        names = dict((item['index'], item['name']) for item in self.raw_links(ns))
        out = []
        for item in self.socket(ns).addresses():
            out.append({
                'dev': names.get(item['index']),
                'address': item['address'],
                'family': 'ipv%d' % item['family'],
                'scope': item['scope'],
            })
        return sorted(out, key=lambda a: (a['dev'] or '', a['family'], a['address']))

    def routes(self, ns):
        names = dict((item['index'], item['name']) for item in self.raw_links(ns))
        # family 255 (not AF_UNSPEC) asks the kernel for every family, and no
        # table filter means every table (pyroute2 filters only when asked).
        msgs = self.socket(ns).route_msgs()
        return _sort_routes(route_fact(msg, names) for msg in msgs)

    def rules(self, ns):
        msgs = self.socket(ns).rule_msgs()
        return sorted((rule_fact(msg) for msg in msgs), key=lambda r: (r['family'], r['priority']))

    def sysctls(self, ns):
        out = {}
        with entered_fd(ns.fd):
            for key in self.sysctl_keys:
                found = _sysctl.expand('sysctls', key, must_exist=False)
                if not found and not key.is_glob:
                    out[key.dotted] = None
                for item in found:
                    try:
                        out[item.dotted] = _sysctl.read_value(item)
                    except (IOError, OSError):
                        out[item.dotted] = None
        return out

    def nftables(self, ns):
        """The collection's own nftables rules (table inet linuxnet) with
        their counters, and the chain policies set; None without nft."""
        if not _nft.nft_available():
            return None
        with _nft.Nft(ns.netns) as nft:
            return nft.summary()

    def namespaces(self):
        out = []
        for ns in self.known:
            out.append({'name': ns.key, 'inode': ns.inode, 'current': ns.key == CURRENT or
                        ns.inode == self.known[0].inode})
        return out

    def collect(self):
        result = {}
        for ns in self.targets:
            facts = {}
            for section in self.sections:
                collector = COLLECTORS.get(section)
                if collector is not None:
                    facts[section] = collector(self, ns)
            if 'links' in facts and 'addresses' in facts:
                for addr in facts['addresses']:
                    link = facts['links'].get(addr['dev'])
                    if link is not None:
                        link.setdefault('addresses', []).append(addr['address'])
            result[ns.key] = facts
        return result


# Per-namespace sections; 'namespaces' is global and handled by the module.
COLLECTORS = {
    'links': Gatherer.links,
    'addresses': Gatherer.addresses,
    'routes': Gatherer.routes,
    'rules': Gatherer.rules,
    'sysctls': Gatherer.sysctls,
    'nftables': Gatherer.nftables,
}
