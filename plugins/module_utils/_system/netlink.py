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

import errno
import ipaddress
import os
import socket
import struct

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.netns import (
    entered,
    entered_fd,
    open_netns_fd,
    private_netns,
)

from ansible_collections.linuxnet.plumbing.plugins.module_utils._system.pyroute2_import import bare_package

bare_package()
try:
    # With the bare package, only rtnetlink's part of pyroute2 loads.
    from pyroute2.iproute.linux import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError  # noqa: F401, pylint: disable=unused-import
except ImportError:  # reported by _core.deps.require_pyroute2
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


def _family_kwargs(family):
    return {} if family is None else {'family': family}


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

    @classmethod
    def open_fd(cls, netns, fd):
        """A client on the namespace open as FD (NETNS names it in messages)."""
        client = cls(netns)
        with entered_fd(fd):
            client.ipr = IPRoute()
        return client

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

    def add_link(self, **spec):
        """Create a link; SPEC is pyroute2's keyword form (ifname, kind, peer...)."""
        self.ipr.link('add', **spec)

    def set_link(self, index, **attrs):
        self.ipr.link('set', index=index, **attrs)

    def set_up(self, index, up=True):
        self.ipr.link('set', index=index, state='up' if up else 'down')

    def delete_link(self, index):
        self.ipr.link('del', index=index)

    # -- routes and rules (raw messages; _plan.routes / _plan.rules read them) --

    def route_msgs(self, family=None):
        """Every route of FAMILY (socket.AF_*; None: pyroute2's default dump)."""
        return list(self.ipr.get_routes(**_family_kwargs(family)))

    def route_lookup(self, dst):
        """The kernel's answer to `ip route get DST` (RTM_GETROUTE), as messages."""
        return list(self.ipr.route('get', dst=dst))

    def change_route(self, op, **request):
        """op: add, replace, del; REQUEST in pyroute2's keyword form."""
        self.ipr.route(op, **request)

    def rule_msgs(self, family=None):
        return list(self.ipr.get_rules(**_family_kwargs(family)))

    def change_rule(self, op, **request):
        """op: add, del; REQUEST in pyroute2's keyword form."""
        self.ipr.rule(op, **request)

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

    def delete_address(self, index, iface, missing_ok=False):
        """missing_ok: an address already gone is no error (removing a
        primary address takes its secondaries with it)."""
        try:
            self.ipr.addr('del', index=index, address=str(iface.ip), prefixlen=iface.network.prefixlen)
        except NetlinkError as exc:
            if not (missing_ok and getattr(exc, 'code', None) == errno.EADDRNOTAVAIL):
                raise


def netns_fd(name):
    """An fd for IFLA_NET_NS_FD (caller closes); None means this namespace."""
    return open_netns_fd(name)


def close_fd(fd):
    if fd is not None:
        os.close(fd)


# -- namespace ids ------------------------------------------------------------------

# RTM_GETNSID by hand: pyroute2 0.7 and 0.9 both have get_netnsid(fd=...),
# but asking N namespaces about N others through 0.9's asyncio core costs
# milliseconds per request; a raw socket answers in microseconds.
RTM_NEWNSID = 88
RTM_GETNSID = 90
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NETNSA_NSID = 1
NETNSA_FD = 3


def open_rtnl_socket():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    sock.bind((0, 0))
    return sock


def get_nsid(sock, fd, seq=1):
    """The id the socket's namespace gives the namespace open as FD, or
    None when it has none (or the kernel does not answer the question)."""
    # nlmsghdr + rtgenmsg (padded to 4) + one u32 attribute NETNSA_FD
    request = struct.pack('=IHHII', 16 + 4 + 8, RTM_GETNSID, NLM_F_REQUEST, seq, 0)
    request += struct.pack('=B3x', socket.AF_UNSPEC) + struct.pack('=HHI', 8, NETNSA_FD, fd)
    sock.send(request)
    while True:
        data = sock.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind, dummy, rseq, dummy = struct.unpack_from('=IHHII', data, offset)
            if length < 16:
                return None
            if rseq == seq:
                if kind == NLMSG_ERROR:
                    return None
                if kind == RTM_NEWNSID:
                    pos = offset + 20
                    while pos + 4 <= offset + length:
                        alen, atype = struct.unpack_from('=HH', data, pos)
                        if alen < 4:
                            break
                        if atype & 0x3FFF == NETNSA_NSID and alen >= 8:
                            nsid = struct.unpack_from('=i', data, pos + 4)[0]
                            return None if nsid < 0 else nsid
                        pos += (alen + 3) & ~3
                    return None
            offset += (length + 3) & ~3


# -- asking the kernel which link kinds it knows ----------------------------------

PROBE_IFNAME = 'lnpprobe0'
_SUPPORT_CACHE = {}


def kernel_supports(kind):
    """(supported, detail) for a link kind, cached per module run.

    The test link is made in a private, anonymous namespace that vanishes with
    its socket, so no namespace the user has is touched. supported is True,
    False, or None when it cannot be told (for example when namespaces cannot
    be created); detail says why.
    """
    if kind in _SUPPORT_CACHE:
        return _SUPPORT_CACHE[kind]
    try:
        with private_netns():
            ipr = IPRoute()
    except OSError as exc:
        result = (None, 'cannot create a private namespace to test for link kind %s: %s' % (kind, exc))
    else:
        try:
            ipr.link('add', ifname=PROBE_IFNAME, kind=kind)
            result = (True, 'created a link of kind %s in a private namespace' % kind)
        except NetlinkError as exc:
            # An unknown kind is EOPNOTSUPP before the kernel looks at any
            # other attribute; any other answer (EINVAL: a parent or an id is
            # missing) comes from the kind's own code, so the kind exists.
            code = getattr(exc, 'code', None)
            if code == errno.EOPNOTSUPP:
                result = (False, 'creating a link of kind %s in a private namespace failed with "%s"'
                          % (kind, os.strerror(code)))
            else:
                result = (True, 'the kernel knows kind %s (it answered errno %s)' % (kind, code))
        finally:
            ipr.close()
    _SUPPORT_CACHE[kind] = result
    return result
