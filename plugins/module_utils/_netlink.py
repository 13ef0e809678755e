# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rtnetlink access per namespace on pyroute2 (0.7 and 0.9 alike).

The socket is opened while the thread sits inside the target namespace (see
_netns.entered), so the same code serves both pyroute2 generations and a read
never creates a namespace. Readings are normalised into plain dicts that the
modules compare and put into diffs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import socket

from ansible_collections.linuxnet.plumbing.plugins.module_utils._netns import (
    entered,
    open_netns_fd,
)

try:
    from pyroute2 import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError  # noqa: F401, pylint: disable=unused-import
except ImportError:  # reported by _deps.require_pyroute2
    IPRoute = None

    class NetlinkError(Exception):
        pass

IFF_UP = 0x1
RT_SCOPE_NAMES = {0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere'}


def family_of(version):
    return socket.AF_INET if version == 4 else socket.AF_INET6


def _attr(msg, name, default=None):
    value = msg.get_attr(name)
    return default if value is None else value


def link_kind(msg):
    info = msg.get_attr('IFLA_LINKINFO')
    if info is None:
        return None
    return info.get_attr('IFLA_INFO_KIND')


def link_info_data(msg):
    """The kind-specific attributes (IFLA_INFO_DATA) as a dict, or {}."""
    info = msg.get_attr('IFLA_LINKINFO')
    data = info.get_attr('IFLA_INFO_DATA') if info is not None else None
    if data is None:
        return {}
    return dict((k, v) for k, v in data.get('attrs', []))


class Netlink(object):
    """An rtnetlink socket bound to one namespace.

    Use as a context manager: ``with Netlink('ns1') as nl: nl.link('veth0')``.
    ``nl.ipr`` is the underlying pyroute2 IPRoute for requests the helpers
    here do not cover.
    """

    def __init__(self, netns=None):
        self.netns = netns
        self.ipr = None

    def __enter__(self):
        with entered(self.netns):
            self.ipr = IPRoute()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.ipr is not None:
            self.ipr.close()
            self.ipr = None

    # -- links --------------------------------------------------------------

    def _link_dict(self, msg, names):
        master = msg.get_attr('IFLA_MASTER')
        return {
            'index': msg['index'],
            'name': msg.get_attr('IFLA_IFNAME'),
            'kind': link_kind(msg),
            'up': bool(msg['flags'] & IFF_UP),
            'operstate': _attr(msg, 'IFLA_OPERSTATE', 'UNKNOWN'),
            'mtu': msg.get_attr('IFLA_MTU'),
            'mac': msg.get_attr('IFLA_ADDRESS'),
            'master': names.get(master) if master else None,
            'master_index': master,
            'link_index': msg.get_attr('IFLA_LINK'),
            'link_netnsid': msg.get_attr('IFLA_LINK_NETNSID'),
            'info_data': link_info_data(msg),
        }

    def links(self):
        msgs = list(self.ipr.get_links())
        names = dict((m['index'], m.get_attr('IFLA_IFNAME')) for m in msgs)
        return [self._link_dict(m, names) for m in msgs]

    def link(self, name):
        """The named link as a dict, or None."""
        for item in self.links():
            if item['name'] == name:
                return item
        return None

    def link_by_index(self, index):
        for item in self.links():
            if item['index'] == index:
                return item
        return None

    def set_link(self, index, **attrs):
        self.ipr.link('set', index=index, **attrs)

    def set_up(self, index, up=True):
        self.ipr.link('set', index=index, state='up' if up else 'down')

    def delete_link(self, index):
        self.ipr.link('del', index=index)

    # -- addresses ----------------------------------------------------------

    def addresses(self, index=None):
        """Addresses as dicts: {'index', 'address': 'IP/LEN', 'family': 4|6, 'scope'}."""
        out = []
        for msg in self.ipr.get_addr():
            if index is not None and msg['index'] != index:
                continue
            addr = msg.get_attr('IFA_LOCAL') if msg['family'] == socket.AF_INET else None
            addr = addr or msg.get_attr('IFA_ADDRESS')
            out.append({
                'index': msg['index'],
                'address': '%s/%d' % (ipaddress.ip_address(addr).compressed, msg['prefixlen']),
                'family': 4 if msg['family'] == socket.AF_INET else 6,
                'scope': RT_SCOPE_NAMES.get(msg['scope'], str(msg['scope'])),
            })
        return out

    def add_address(self, index, iface):
        """iface: ipaddress.IPv4Interface / IPv6Interface."""
        kwargs = dict(index=index, address=str(iface.ip), prefixlen=iface.network.prefixlen)
        if iface.version == 4:
            # pyroute2 0.7 does not fill in the broadcast address as `ip` does.
            if iface.network.prefixlen < 31:
                kwargs['broadcast'] = str(iface.network.broadcast_address)
        else:
            # Skip duplicate address detection so the address is usable at once
            # instead of staying "tentative" for a second or two.
            kwargs['flags'] = 0x02  # IFA_F_NODAD
        self.ipr.addr('add', **kwargs)

    def delete_address(self, index, iface):
        self.ipr.addr('del', index=index, address=str(iface.ip), prefixlen=iface.network.prefixlen)


def netns_fd(name):
    """An fd for IFLA_NET_NS_FD (caller closes); None means this namespace."""
    return open_netns_fd(name)


def close_fd(fd):
    if fd is not None:
        os.close(fd)


def canonical_addresses(values, option, family=None):
    """User CIDRs -> sorted list of canonical 'IP/LEN' strings (validated)."""
    from ansible_collections.linuxnet.plumbing.plugins.module_utils._validation import parse_interface_address
    out = []
    for value in values or []:
        iface = parse_interface_address(option, value, family)
        text = '%s/%d' % (iface.ip.compressed, iface.network.prefixlen)
        if text not in out:
            out.append(text)
    return sorted(out)


def is_link_local6(address):
    iface = ipaddress.ip_interface(address)
    return iface.version == 6 and iface.ip.is_link_local
